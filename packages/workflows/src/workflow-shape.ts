import { z } from "zod";

/**
 * How the pause between two batches of one record is taken: "throttle" waits inside the next
 * batch's step (two server requests a batch, restarted from zero after a crash); "durable" is a
 * server timer the workflow suspends on (about five a batch, nothing held while it waits).
 */
export const BatchPauseModeSchema = z.enum(["throttle", "durable"]);
export type BatchPauseMode = z.infer<typeof BatchPauseModeSchema>;

export const DEFAULT_BATCH_PAUSE: BatchPauseMode = "throttle";

/**
 * Batches per segment: the server answers a workflow's requests with its whole branch, so a
 * bounded segment bounds what each answer carries. Why: docs/decisions/workflow-segments.md
 */
export const DEFAULT_SEGMENT_BATCHES = 50;

/**
 * The shape a record's workflow was started with. It is part of the workflow's input, stored in
 * its promise, so every replay (on any worker, whatever that worker's own settings) takes the same
 * path through the generator.
 */
export const WorkflowShapeSchema = z.object({
  batchPause: BatchPauseModeSchema,
  segmentBatches: z.number().int().positive(),
  /**
   * The Resonate group further segments are dispatched to (the workers that run this workflow).
   * Without one the record runs as a single segment: there is nobody to hand over to.
   */
  segmentGroup: z.string().min(1).optional(),
});
export type WorkflowShape = z.infer<typeof WorkflowShapeSchema>;

/** What a worker chooses; the rest has defaults. */
export interface WorkflowShapeOptions {
  batchPause?: BatchPauseMode;
  segmentBatches?: number;
  /** The worker's Resonate group. */
  segmentGroup?: string;
}

/** The shape new workflows are started with. */
export function workflowShape(options: WorkflowShapeOptions = {}): WorkflowShape {
  return WorkflowShapeSchema.parse({
    batchPause: options.batchPause ?? DEFAULT_BATCH_PAUSE,
    segmentBatches: options.segmentBatches ?? DEFAULT_SEGMENT_BATCHES,
    ...(options.segmentGroup ? { segmentGroup: options.segmentGroup } : {}),
  });
}

/** What a record's batches have done so far; carried from one segment to the next. */
export const BatchProgressSchema = z.object({
  batches: z.number().int().nonnegative(),
  rowsDeleted: z.number().int().nonnegative(),
  transientErrorsRetried: z.number().int().nonnegative(),
});
export type BatchProgress = z.infer<typeof BatchProgressSchema>;

/**
 * How one segment ended: "completed" (every row deleted and the completion published), "more"
 * (rows remain for the next segment), "failed" (a batch failed for good) or "unpublished"
 * (every row deleted, but the broker refused the completion for good). `error` says why for the
 * last two.
 */
export const SegmentResultSchema = z.object({
  state: z.enum(["completed", "more", "failed", "unpublished"]),
  progress: BatchProgressSchema,
  error: z.string().optional(),
});
export type SegmentResult = z.infer<typeof SegmentResultSchema>;
