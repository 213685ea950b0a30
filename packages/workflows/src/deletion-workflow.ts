import type { Context } from "@resonatehq/sdk";
import {
  deleteBatchStep,
  dependencies,
  errorMessage,
  publishCompletedStep,
  publishFailedStep,
} from "./deletion-steps.js";
import { PermanentDeletionError } from "./record-store.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";

export const DELETION_WORKFLOW_NAME = "deleteRecord";

/**
 * One durable workflow per record: delete in batches until nothing remains, sleeping durably
 * between batches, then publish the completion. Every yield is a checkpoint, so after a crash
 * (on this worker or another) finished batches are not run again. The body is replayed from
 * the top on every resume and therefore does nothing but yield and add up step results.
 *
 * A batch that fails for good (a permanent error, or transient ones past the retry budget) ends
 * the workflow with status "failed" after dead-lettering the request, so every request ends in
 * exactly one of the two output topics.
 */
export function* deletionWorkflow(
  ctx: Context,
  input: DeletionWorkflowInput,
): Generator<unknown, DeletionOutcome> {
  const outcome: DeletionOutcome = {
    recordId: input.recordId,
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
  try {
    for (;;) {
      const batch = yield* ctx.run(deleteBatchStep, input, outcome.batches + 1, retry);
      outcome.batches += 1;
      outcome.rowsDeleted += batch.rowsDeleted;
      outcome.transientErrorsRetried += batch.attempt - 1;
      if (!batch.rowsRemain) break;
      yield* ctx.sleep(input.batchSleepMs);
    }
  } catch (error) {
    const failed: DeletionOutcome = { ...outcome, status: "failed", error: errorMessage(error) };
    yield* ctx.run(publishFailedStep, input, failed);
    return failed;
  }
  yield* ctx.run(publishCompletedStep, input, outcome);
  return outcome;
}
