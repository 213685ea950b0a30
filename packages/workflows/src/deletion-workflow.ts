import type { Context } from "@resonatehq/sdk";
import { deleteBatches } from "./batch-segments.js";
import { PermanentPublishError } from "./completion-publisher.js";
import { batchStepOptions, publishFailedStep } from "./deletion-steps.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";

export const DELETION_WORKFLOW_NAME = "deleteRecord";

/**
 * One durable workflow per record: soft delete, then batches with pauses until nothing remains;
 * each batch is a checkpointed step, and the body, replayed on every resume, only yields. A batch
 * or completion refused for good dead-letters the request and ends the workflow "failed".
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
