import type { Context } from "@resonatehq/sdk";
import { durablePause } from "./batch-pause.js";
import { type BatchStepResult, batchStep } from "./batch-step.js";
import { batchStepOptions, errorMessage, type StepOptions } from "./deletion-steps.js";
import type { DeletionWorkflowInput } from "./workflow-input.js";
import {
  type BatchProgress,
  BatchProgressSchema,
  type SegmentResult,
  SegmentResultSchema,
  type WorkflowShape,
} from "./workflow-shape.js";

/** The name the segment workflow is registered under; stored in its promises, so never renamed. */
export const DELETION_SEGMENT_NAME = "deleteRecordSegment";

/**
 * Deletes the record's batches until none remain and says how that ended, with the record's
 * totals. Past a segment's batches it hands over to a segment workflow of its own, which does the
 * same. Why: docs/decisions/workflow-segments.md
 */
export function* deleteBatches(
  ctx: Context,
  input: DeletionWorkflowInput,
  retry: StepOptions,
): Generator<unknown, SegmentResult> {
  return yield* deleteSegmentAndRest(
    ctx,
    input,
    { batches: 0, rowsDeleted: 0, transientErrorsRetried: 0 },
    retry,
  );
}

/**
 * A further segment of a record (see deleteBatches): its batches continue the count of the
 * segments before it. Returns, never throws, how the record's deletion ended.
 */
export function* deletionSegmentWorkflow(
  ctx: Context,
  input: DeletionWorkflowInput,
  progressSoFar: BatchProgress,
): Generator<unknown, SegmentResult> {
  const progress = BatchProgressSchema.parse(progressSoFar);
  return yield* deleteSegmentAndRest(ctx, input, progress, batchStepOptions(ctx));
}

function* deleteSegmentAndRest(
  ctx: Context,
  input: DeletionWorkflowInput,
  progress: BatchProgress,
  retry: StepOptions,
): Generator<unknown, SegmentResult> {
  const result = yield* deleteSegment(ctx, input, input.shape, progress, retry);
  if (result.state !== "more" || !input.shape.segmentGroup) return result;
  const rest: unknown = yield* ctx.rpc<unknown>(
    DELETION_SEGMENT_NAME,
    input,
    result.progress,
    ctx.options({ target: input.shape.segmentGroup }),
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
      let pauseMs = n > 1 ? input.batchSleepMs : 0;
      if (shape.batchPause === "durable" && pauseMs > 0) {
        yield* durablePause(ctx, pauseMs);
        pauseMs = 0;
      }
      const batch: BatchStepResult = yield* ctx.run(batchStep, input, n, pauseMs, copy(progress), retry);
      add(progress, batch);
      if (batch.completion === "published") return { state: "completed", progress: copy(progress) };
      if (batch.completion === "refused") {
        return { state: "unpublished", progress: copy(progress), error: batch.publishError ?? "refused" };
      }
    }
    return { state: "more", progress: copy(progress) };
  } catch (error) {
    return { state: "failed", progress: copy(progress), error: errorMessage(error) };
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
