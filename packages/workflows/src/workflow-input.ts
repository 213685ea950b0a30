import { RecordIdSchema, SourcePositionSchema } from "@deletion/contracts";
import { z } from "zod";

/** The arguments a deletion workflow is started with; stored in its durable promise. */
export const DeletionWorkflowInputSchema = z.object({
  recordId: RecordIdSchema,
  requestedAt: z.iso.datetime({ offset: true }),
  /** Where the request was read: the completion reports it so reordering is visible. */
  source: SourcePositionSchema,
  /** Durable sleep between batches, so deletion does not hammer the store. */
  batchSleepMs: z.number().int().nonnegative(),
});

export type DeletionWorkflowInput = z.infer<typeof DeletionWorkflowInputSchema>;

/** What a finished workflow returns (and what a duplicate delivery gets back). */
export const DeletionOutcomeSchema = z.object({
  recordId: RecordIdSchema,
  status: z.enum(["completed", "failed"]),
  /** Why it failed, when it did. */
  error: z.string().optional(),
  batches: z.number().int().nonnegative(),
  rowsDeleted: z.number().int().nonnegative(),
  transientErrorsRetried: z.number().int().nonnegative(),
});

export type DeletionOutcome = z.infer<typeof DeletionOutcomeSchema>;
