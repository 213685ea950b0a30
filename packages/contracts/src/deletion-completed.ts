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
  /**
   * The same in every copy of this completion that at-least-once publishing produces, and
   * different for any other deletion: consumers drop a completion whose key they have seen. It is
   * the durable promise id of the deletion attempt (`deletion/<recordId>`, then
   * `deletion/<recordId>/attempt-<n>` for a retried deletion). Optional only so that completions
   * from before it existed still decode; for those, `workflowId` (then the bare record id) serves.
   */
  idempotencyKey: z.string().min(1).optional(),
  /** Which attempt at deleting the record this completes: 1, or n after n - 1 failed attempts. */
  attempt: z.number().int().positive().optional(),
});

export type DeletionCompleted = z.infer<typeof DeletionCompletedSchema>;
