import { RecordIdSchema, SourcePositionSchema } from "@deletion/contracts";
import { z } from "zod";
import { WorkflowShapeSchema } from "./workflow-shape.js";

/** The arguments a deletion workflow is started with; stored in its durable promise. */
export const DeletionWorkflowInputSchema = z.object({
  recordId: RecordIdSchema,
  /** Which attempt at deleting the record this is: 1, then n + 1 after attempt n failed for good. */
  attempt: z.number().int().positive(),
  requestedAt: z.iso.datetime({ offset: true }),
  /** Where the request was read: the completion reports it so reordering is visible. */
  source: SourcePositionSchema,
  /** Pause between batches, so deletion does not hammer the store. */
  batchSleepMs: z.number().int().nonnegative(),
  /** How the pause is taken and how long a segment is. */
  shape: WorkflowShapeSchema,
});

export type DeletionWorkflowInput = z.infer<typeof DeletionWorkflowInputSchema>;

/** What a request asks for; the runtime decides which attempt answers it. */
export const DeletionRequestInputSchema = DeletionWorkflowInputSchema.omit({
  attempt: true,
  shape: true,
});

export type DeletionRequestInput = z.infer<typeof DeletionRequestInputSchema>;

/** What a finished workflow returns (and what a duplicate delivery gets back). */
export const DeletionOutcomeSchema = z.object({
  recordId: RecordIdSchema,
  attempt: z.number().int().positive(),
  status: z.enum(["completed", "failed"]),
  /** Why it failed, when it did. */
  error: z.string().optional(),
  batches: z.number().int().nonnegative(),
  rowsDeleted: z.number().int().nonnegative(),
  transientErrorsRetried: z.number().int().nonnegative(),
});

export type DeletionOutcome = z.infer<typeof DeletionOutcomeSchema>;
