import type { Context } from "@resonatehq/sdk";
import { deleteBatches } from "./batch-segments.js";
import { PermanentPublishError } from "./completion-publisher.js";
import {
  dependencies,
  errorMessage,
  markDeletedStep,
  publishCompletedStep,
  publishFailedStep,
} from "./deletion-steps.js";
import { PermanentDeletionError } from "./record-store.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";

export const DELETION_WORKFLOW_NAME = "deleteRecord";

/**
 * One durable workflow per record: delete in batches until nothing remains, pausing between
 * batches (how: batch-segments.ts), then publish the completion. Every yield is a checkpoint, so after a crash
 * (on this worker or another) finished batches are not run again. The body is replayed from
 * the top on every resume and therefore does nothing but yield and add up step results.
 *
 * A batch that fails for good (a permanent error, or transient ones past the retry budget) ends
 * the workflow with status "failed" after dead-lettering the request, so every request ends in
 * exactly one of the two output topics. Its promise stays as it is; a later request for the record
 * runs a new attempt under a promise id of its own (attempts.ts).
 */
export function* deletionWorkflow(
  ctx: Context,
  input: DeletionWorkflowInput,
): Generator<unknown, DeletionOutcome> {
  const outcome: DeletionOutcome = {
    recordId: input.recordId,
    attempt: input.attempt,
    status: "completed",
    batches: 0,
    rowsDeleted: 0,
    transientErrorsRetried: 0,
  };
  // Reading configuration is not a side effect: every replay sees the same policy.
  const retry = ctx.options({
    retryPolicy: dependencies(ctx).batchRetryPolicy,
    nonRetryableErrors: [PermanentDeletionError],
  });
  // The publisher retries transient failures itself; one refused for good fails the step at once.
  const publish = ctx.options({ nonRetryableErrors: [PermanentPublishError] });
  try {
    // Soft delete first, as its own checkpoint: readers see the record gone before any batch runs.
    if (input.softDelete) yield* ctx.run(markDeletedStep, input, retry);
    // Adds each finished batch to the outcome as it goes, so a failure reports the ones before it.
    yield* deleteBatches(ctx, input, outcome, retry);
  } catch (error) {
    const failed: DeletionOutcome = { ...outcome, status: "failed", error: errorMessage(error) };
    yield* ctx.run(publishFailedStep, input, failed, publish);
    return failed;
  }
  try {
    yield* ctx.run(publishCompletedStep, input, outcome, publish);
  } catch (error) {
    // The rows are gone but the broker will not take the completion: the attempt ends failed and
    // dead-lettered, so the record reaches an output topic and can be re-driven. A dead letter
    // refused even in minimal form throws on out of the workflow (the dispatcher takes over).
    const failed: DeletionOutcome = {
      ...outcome,
      status: "failed",
      error: `deleted, but the completion was refused for good: ${errorMessage(error)}`,
    };
    yield* ctx.run(publishFailedStep, input, failed, publish);
    return failed;
  }
  return outcome;
}
