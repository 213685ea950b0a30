import {
  BulkIdSchema,
  RecordIdSchema,
  SelectorNameSchema,
  SelectorParamsSchema,
  SourcePositionSchema,
} from "@deletion/contracts";
import { z } from "zod";

/** How a bulk pages its selection; part of its input, so every replay takes the same path. */
export const BulkShapeSchema = z.object({
  /** Records per soft-delete batch (one short UPDATE each). */
  softDeleteBatch: z.number().int().positive(),
  /** Records per fan-out page: one checkpoint holds a page's ids. */
  pageSize: z.number().int().positive().max(5_000),
  /** Pause between two looks at a page's records that are still being deleted. */
  followPollMs: z.number().int().nonnegative(),
});
export type BulkShape = z.infer<typeof BulkShapeSchema>;

export const DEFAULT_BULK_SHAPE: BulkShape = { softDeleteBatch: 1_000, pageSize: 500, followPollMs: 1_000 };

/** The arguments a bulk workflow is started with; stored in its durable promise. */
export const BulkWorkflowInputSchema = z.object({
  bulkId: BulkIdSchema,
  requestedAt: z.iso.datetime({ offset: true }),
  selector: SelectorNameSchema.optional(),
  params: SelectorParamsSchema.optional(),
  ids: z.array(RecordIdSchema).optional(),
  /** Where the bulk request was read. */
  source: SourcePositionSchema,
  shape: BulkShapeSchema,
});
export type BulkWorkflowInput = z.infer<typeof BulkWorkflowInputSchema>;

/** What a bulk reports while it runs and when it ends (the completion message's totals). */
export const BulkTotalsSchema = z.object({
  matched: z.number().int().nonnegative(),
  softDeleted: z.number().int().nonnegative(),
  requested: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  failedIds: z.array(RecordIdSchema),
  rowsDeleted: z.number().int().nonnegative(),
  notRequested: z.number().int().nonnegative(),
  restored: z.number().int().nonnegative(),
});
export type BulkTotals = z.infer<typeof BulkTotalsSchema>;

/** What a finished bulk workflow returns (and a second request for the same bulkId reads). */
export const BulkOutcomeSchema = BulkTotalsSchema.extend({
  bulkId: BulkIdSchema,
  status: z.enum(["completed", "cancelled", "failed"]),
  error: z.string().optional(),
  startedAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }),
});
export type BulkOutcome = z.infer<typeof BulkOutcomeSchema>;

/** The step results a bulk's progress is read from (status --bulk). */
export const SoftDeleteBatchStepSchema = z.object({
  matched: z.number().int().nonnegative(),
  marked: z.number().int().nonnegative(),
  last: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type SoftDeleteBatchStep = z.infer<typeof SoftDeleteBatchStepSchema>;

/**
 * A fan-out page as read: its ids, checkpointed before any of them is published, so a publish
 * run again after a crash publishes exactly these ids (reading the page again would not find
 * the records already deleted, and would take the next ones instead).
 */
export const FanOutPageStepSchema = z.object({
  ids: z.array(RecordIdSchema),
  last: z.string().nullable(),
  /** Set when a cancel was found before this page: nothing is published. */
  cancel: z.object({ restore: z.boolean() }).optional(),
  at: z.iso.datetime({ offset: true }),
});
export type FanOutPageStep = z.infer<typeof FanOutPageStepSchema>;

/** A fan-out page published: how many requests, and the page's keyset end (null: the last page). */
export const PublishPageStepSchema = z.object({
  page: z.number().int().positive(),
  published: z.number().int().nonnegative(),
  last: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type PublishPageStep = z.infer<typeof PublishPageStepSchema>;

export const FollowStepSchema = z.object({
  deleted: z.number().int().nonnegative(),
  failedIds: z.array(RecordIdSchema),
  rowsDeleted: z.number().int().nonnegative(),
  /** Records of the page still being deleted (or not yet started). */
  pending: z.array(RecordIdSchema),
  at: z.iso.datetime({ offset: true }),
});
export type FollowStep = z.infer<typeof FollowStepSchema>;
