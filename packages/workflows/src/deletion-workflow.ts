import type { Context } from "@resonatehq/sdk";
import { deleteBatches } from "./batch-segments.js";
import { PermanentPublishError } from "./completion-publisher.js";
import { batchStepOptions, publishFailedStep } from "./deletion-steps.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";

export const DELETION_WORKFLOW_NAME = "deleteRecord";

/**
 * One durable workflow per record: soft delete, then delete in batches until nothing remains,
 * pausing between batches; the batch that finds nothing left publishes the completion. Each
 * batch is one step (batch-step.ts), and every step is a checkpoint, so after a crash (on this
 * worker or another) finished batches are not run again. The body is replayed from the top on
 * every resume and therefore does nothing but yield and add up step results.
 *
 * A batch that fails for good (a permanent error, or transient ones past the retry budget), or a
 * completion the broker refuses for good, ends the workflow with status "failed" after
 * dead-lettering the request, so every request ends in exactly one of the two output topics. Its
 * promise stays as it is; a later request for the record runs a new attempt under a promise id
 * of its own (attempts.ts).
 */
export function* deletionWorkflow(
  ctx: Context,
  input: DeletionWorkflowInput,
): Generator<unknown, DeletionOutcome> {
  const result = yield* deleteBatches(ctx, input, batchStepOptions(ctx));
  const outcome: DeletionOutcome = {
    recordId: input.recordId,
    attempt: input.attempt,
    status: "completed",
    ...result.progress,
  };
  if (result.state === "completed") return outcome;
  const error =
    result.state === "unpublished"
      ? `deleted, but the completion was refused for good: ${result.error ?? "refused"}`
      : (result.error ?? "a batch failed");
  const failed: DeletionOutcome = { ...outcome, status: "failed", error };
  // The publisher retries transient failures itself; one refused for good fails the step at once.
  // A dead letter refused even in minimal form throws on out of the workflow (the dispatcher takes over).
  yield* ctx.run(
    publishFailedStep,
    input,
    failed,
    ctx.options({ nonRetryableErrors: [PermanentPublishError] }),
  );
  return failed;
}
