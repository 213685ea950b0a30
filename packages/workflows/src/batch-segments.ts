import type { Context } from "@resonatehq/sdk";
import { durablePause, pauseThenDeleteBatchStep } from "./batch-pause.js";
import { type BatchStepResult, deleteBatchStep, dependencies, errorMessage } from "./deletion-steps.js";
import { PermanentDeletionError } from "./record-store.js";
import type { DeletionWorkflowInput } from "./workflow-input.js";
import {
  type BatchProgress,
  BatchProgressSchema,
  type SegmentResult,
  SegmentResultSchema,
  type WorkflowShape,
  WorkflowShapeSchema,
} from "./workflow-shape.js";

/** Options of a step (retry policy, errors never retried), as `ctx.options` builds them. */
type StepOptions = ReturnType<Context["options"]>;

/** The name the segment workflow is registered under; stored in its promises, so never renamed. */
export const DELETION_SEGMENT_NAME = "deleteRecordSegment";

/** How a batch step is retried; read from the dependencies, the same on every replay. */
export function batchStepOptions(ctx: Context): StepOptions {
  return ctx.options({
    retryPolicy: dependencies(ctx).batchRetryPolicy,
    nonRetryableErrors: [PermanentDeletionError],
  });
}

/** A batch failed for good (the error of its last attempt is the message). */
export class BatchFailedError extends Error {
  override readonly name = "BatchFailedError";
}

/**
 * Deletes the record's batches until none remain, adding each finished batch to `progress` as it
 * goes (so after a failure `progress` counts the batches before it). Throws when a batch fails
 * for good.
 *
 * With a shape, the first segment runs inside this workflow; if rows remain, it hands over to the
 * next segment, a workflow of its own (a child on the server, dispatched to any worker of the
 * group) started with the progress so far, which hands over to the next in turn; each awaits only
 * the one it started, and the last one's result comes back up the chain. So no workflow's branch
 * holds more than one segment's promises, and each resumes at most once for its child: the cost
 * of a hand-over does not grow with the number of segments.
 */
export function* deleteBatches(
  ctx: Context,
  input: DeletionWorkflowInput,
  progress: BatchProgress,
  retry: StepOptions,
): Generator<unknown, void> {
  if (!input.shape) return yield* unsegmentedDurableSleeps(ctx, input, progress, retry);
  const result = yield* deleteSegmentAndRest(ctx, input, input.shape, progress, retry);
  Object.assign(progress, result.progress);
  if (result.state === "failed") throw new BatchFailedError(result.error ?? "a batch failed");
}

/**
 * A further segment of a record (see deleteBatches): its batches continue the count of the
 * segments before it. Returns, never throws, how the record's deletion ended (in this segment or
 * a later one), with the record's progress.
 */
export function* deletionSegmentWorkflow(
  ctx: Context,
  input: DeletionWorkflowInput,
  progressSoFar: BatchProgress,
): Generator<unknown, SegmentResult> {
  const shape = WorkflowShapeSchema.parse(input.shape);
  const progress = BatchProgressSchema.parse(progressSoFar);
  return yield* deleteSegmentAndRest(ctx, input, shape, progress, batchStepOptions(ctx));
}

function* deleteSegmentAndRest(
  ctx: Context,
  input: DeletionWorkflowInput,
  shape: WorkflowShape,
  progress: BatchProgress,
  retry: StepOptions,
): Generator<unknown, SegmentResult> {
  const result = yield* deleteSegment(ctx, input, shape, progress, retry);
  if (result.state !== "more" || !shape.segmentGroup) return result;
  const rest: unknown = yield* ctx.rpc<unknown>(
    DELETION_SEGMENT_NAME,
    input,
    result.progress,
    ctx.options({ target: shape.segmentGroup }),
  );
  // Read back from a promise: checked, never trusted.
  return SegmentResultSchema.parse(rest);
}

/** Up to shape.segmentBatches batches, each after the pause (but the record's first). */
function* deleteSegment(
  ctx: Context,
  input: DeletionWorkflowInput,
  shape: WorkflowShape,
  progress: BatchProgress,
  retry: StepOptions,
): Generator<unknown, SegmentResult> {
  const end = shape.segmentGroup ? progress.batches + shape.segmentBatches : Number.POSITIVE_INFINITY;
  try {
    while (progress.batches < end) {
      const n = progress.batches + 1;
      const pauseMs = n > 1 ? input.batchSleepMs : 0;
      let batch: BatchStepResult;
      if (shape.batchPause === "durable") {
        if (pauseMs > 0) yield* durablePause(ctx, pauseMs);
        batch = yield* ctx.run(deleteBatchStep, input, n, retry);
      } else {
        batch = yield* ctx.run(pauseThenDeleteBatchStep, input, n, pauseMs, retry);
      }
      add(progress, batch);
      if (!batch.rowsRemain) return { state: "done", progress: copy(progress) };
    }
    return { state: "more", progress: copy(progress) };
  } catch (error) {
    return { state: "failed", progress: copy(progress), error: errorMessage(error) };
  }
}

/**
 * The shape of workflows started without one (by earlier versions): a durable `ctx.sleep` after
 * every batch, all in one workflow. Kept step for step as it was, because a replay of such a
 * workflow must yield exactly what it yielded before. Every resume re-fences every earlier sleep,
 * so its server requests grow with the square of the batches (see README).
 */
function* unsegmentedDurableSleeps(
  ctx: Context,
  input: DeletionWorkflowInput,
  progress: BatchProgress,
  retry: StepOptions,
): Generator<unknown, void> {
  for (;;) {
    const batch = yield* ctx.run(deleteBatchStep, input, progress.batches + 1, retry);
    add(progress, batch);
    if (!batch.rowsRemain) return;
    yield* ctx.sleep(input.batchSleepMs);
  }
}

function add(progress: BatchProgress, batch: BatchStepResult): void {
  progress.batches += 1;
  progress.rowsDeleted += batch.rowsDeleted;
  progress.transientErrorsRetried += batch.attempt - 1;
}

function copy({ batches, rowsDeleted, transientErrorsRetried }: BatchProgress): BatchProgress {
  return { batches, rowsDeleted, transientErrorsRetried };
}
