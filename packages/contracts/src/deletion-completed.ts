import { z } from "zod";
import { RecordIdSchema } from "./record-id.js";
import { SourcePositionSchema } from "./source-position.js";

export const DELETION_COMPLETED_VERSION = 1;

/** Published once per record when its durable workflow has deleted all of its data. */
export const DeletionCompletedSchema = z.object({
  schemaVersion: z.literal(DELETION_COMPLETED_VERSION),
  recordId: RecordIdSchema,
  source: SourcePositionSchema,
  completedAt: z.iso.datetime({ offset: true }),
  batches: z.number().int().nonnegative(),
  rowsDeleted: z.number().int().nonnegative(),
  transientErrorsRetried: z.number().int().nonnegative(),
  workflowId: z.string().min(1),
});

export type DeletionCompleted = z.infer<typeof DeletionCompletedSchema>;
