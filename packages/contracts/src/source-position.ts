import { z } from "zod";

/** Kafka offsets are int64: carried as a decimal string so no precision is lost in JSON. */
export const OffsetSchema = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, {
  error: "must be a non-negative integer written as a decimal string",
});

/** Where a message was read from: the completion carries it so reordering is visible. */
export const SourcePositionSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: OffsetSchema,
});

export type SourcePosition = z.infer<typeof SourcePositionSchema>;
