import { RecordIdSchema, SelectorNameSchema, SelectorParamsSchema } from "@deletion/contracts";
import { BulkStatusSchema } from "@deletion/deletion-status";
import { z } from "zod";

export { CSRF_HEADER } from "./browser.js";

/*
 * What the server pushes to every page (one snapshot per change, the same for all of them) and
 * what the page's requests answer. Bounded: lists are the last N, everything else is counters.
 */

export const CompletionRowSchema = z.object({
  recordId: z.string(),
  attempt: z.number().int().positive(),
  batches: z.number().int().nonnegative(),
  rowsDeleted: z.number().int().nonnegative(),
  completedAt: z.string(),
  /** The request's position, which the completion carries. */
  requestPartition: z.number().int(),
  requestOffset: z.string(),
});
export type CompletionRow = z.infer<typeof CompletionRowSchema>;

export const DeadLetterRowSchema = z.object({
  /** Where the dead letter sits on the dead-letter topic: what re-drive of one names. */
  partition: z.number().int(),
  offset: z.string(),
  /** A reason code, or UNREADABLE for a message that is not a dead letter at all. */
  reasonCode: z.string(),
  reason: z.string(),
  /** The original message's key, when it was readable text: the record id. */
  recordId: z.string().nullable(),
  deadLetteredAt: z.string().nullable(),
  /** It carries a whole request, so re-drive can publish it again. */
  redrivable: z.boolean(),
  /** Re-published by this console since it started. */
  redriven: z.boolean(),
});
export type DeadLetterRow = z.infer<typeof DeadLetterRowSchema>;

export const PartitionLagSchema = z.object({
  partition: z.number().int(),
  /** The group's committed offset; null when it has committed nothing there. */
  committed: z.string().nullable(),
  end: z.string(),
  lag: z.number().int().nonnegative(),
});

export const LagViewSchema = z.object({
  group: z.string(),
  topic: z.string(),
  partitions: z.array(PartitionLagSchema),
  total: z.number().int().nonnegative(),
  readAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type LagView = z.infer<typeof LagViewSchema>;

export const WorkerHealthSchema = z.object({
  url: z.string(),
  /** null until the first answer, or when the worker could not be reached. */
  ready: z.boolean().nullable(),
  assignedPartitions: z.number().int().nullable(),
  /** Requests the worker holds that have not finished (its deletor_in_flight gauge). */
  inFlight: z.number().nullable(),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type WorkerHealth = z.infer<typeof WorkerHealthSchema>;

export const ServiceHealthSchema = z.object({
  ok: z.boolean().nullable(),
  error: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;

export const SnapshotSchema = z.object({
  at: z.string(),
  completions: z.object({
    total: z.number().int().nonnegative(),
    perMinute: z.number().int().nonnegative(),
    recent: z.array(CompletionRowSchema),
  }),
  deadLetters: z.object({
    total: z.number().int().nonnegative(),
    byReason: z.record(z.string(), z.number().int().nonnegative()),
    recent: z.array(DeadLetterRowSchema),
  }),
  /** Sum of the workers' in-flight gauges; null when no worker answered. */
  inFlight: z.number().nullable(),
  lag: LagViewSchema,
  workers: z.array(WorkerHealthSchema),
  /** The subscription to the completion and dead-letter topics. */
  topics: ServiceHealthSchema,
  resonate: ServiceHealthSchema,
  /** Recent bulk deletions, newest first; absent when the bulk topics are not there. */
  bulks: z.array(BulkStatusSchema).nullable(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** POST /api/redrive: one dead letter (its position) or every one of a reason. */
export const RedriveRequestSchema = z.union([
  z.object({ partition: z.number().int().nonnegative(), offset: z.string().regex(/^\d+$/) }),
  z.object({ reason: z.string().min(1) }),
]);
export type RedriveRequest = z.infer<typeof RedriveRequestSchema>;

export const RedriveAnswerSchema = z.object({
  republished: z.number().int().nonnegative(),
  recordIds: z.array(z.string()),
  /** Why nothing or not everything was re-published, for the page to show. */
  note: z.string().nullable(),
});
export type RedriveAnswer = z.infer<typeof RedriveAnswerSchema>;

/** POST /api/bulks: a selector with its parameters, or a list of record ids. */
export const BulkSubmitRequestSchema = z.union([
  z.object({ ids: z.array(RecordIdSchema).min(1).max(100_000) }),
  z.object({ selector: SelectorNameSchema, params: SelectorParamsSchema.default({}) }),
]);
export type BulkSubmitRequest = z.infer<typeof BulkSubmitRequestSchema>;

export const BulkSubmitAnswerSchema = z.object({
  bulkIds: z.array(z.string()),
  /** Records already soft-deleted when the answer was sent (the worker's first batch). */
  softDeleted: z.number().int().nonnegative(),
});
export type BulkSubmitAnswer = z.infer<typeof BulkSubmitAnswerSchema>;
