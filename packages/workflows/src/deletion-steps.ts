import { type DeadLetter, type DeletionCompleted, LOG_EVENTS } from "@deletion/contracts";
import type { Context, RetryPolicy } from "@resonatehq/sdk";
import { type CompletionPublisher, rethrowPublishError } from "./completion-publisher.js";
import type { BatchResult, RecordStore, SoftDeleteResult } from "./record-store.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";
import type { WorkflowLogger } from "./workflow-logger.js";

/** Services the leaf steps use, registered once per Resonate client as a dependency. */
export interface DeletionDependencies {
  store: RecordStore;
  publisher: CompletionPublisher;
  logger: WorkflowLogger;
  /** How failed batches are retried; PermanentDeletionError is never retried. */
  batchRetryPolicy: RetryPolicy;
}

export const DELETION_DEPENDENCIES = "deletion.dependencies";

export function dependencies(ctx: Context): DeletionDependencies {
  const deps = ctx.getDependency<DeletionDependencies>(DELETION_DEPENDENCIES);
  if (!deps) throw new Error(`Resonate dependency "${DELETION_DEPENDENCIES}" is not registered`);
  return deps;
}

export interface BatchStepResult extends BatchResult {
  /** Which attempt succeeded: attempt - 1 transient errors were retried for this batch. */
  attempt: number;
}

const position = (input: DeletionWorkflowInput) => ({
  recordId: input.recordId,
  partition: input.source.partition,
  offset: input.source.offset,
});

/**
 * Leaf step: delete one batch. Its log lines are side effects, so they live here and not in the
 * workflow body, which is replayed from the top whenever it resumes.
 */
export async function deleteBatchStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  batch: number,
): Promise<BatchStepResult> {
  const { store, logger } = dependencies(ctx);
  const attempt = ctx.info.attempt;
  const fields = { ...position(input), batch, attempt, stepId: ctx.id };
  try {
    const result = await store.deleteBatch(input.recordId, {
      batch,
      attempt,
      deletionAttempt: input.attempt,
    });
    logger.info(
      {
        event: LOG_EVENTS.batchDeleted,
        ...fields,
        rowsDeleted: result.rowsDeleted,
        rowsRemain: result.rowsRemain,
      },
      "batch deleted",
    );
    return { ...result, attempt };
  } catch (error) {
    logger.warn({ event: LOG_EVENTS.batchFailed, ...fields, err: errorMessage(error) }, "batch failed");
    throw error;
  }
}

/**
 * Leaf step, the workflow's first: the store's soft delete (when it has one), so readers see the
 * record gone before its rows are. Idempotent, so a replay after a crash before its checkpoint
 * marks nothing new.
 */
export async function markDeletedStep(ctx: Context, input: DeletionWorkflowInput): Promise<SoftDeleteResult> {
  const { store, logger } = dependencies(ctx);
  if (!store.markDeleted) return { rowsMarked: 0 };
  const fields = { ...position(input), attempt: ctx.info.attempt, stepId: ctx.id };
  try {
    const result = await store.markDeleted(input.recordId);
    logger.info(
      { event: LOG_EVENTS.softDeleted, ...fields, rowsMarked: result.rowsMarked },
      "record marked deleted",
    );
    return result;
  } catch (error) {
    logger.warn(
      { event: LOG_EVENTS.softDeleteFailed, ...fields, err: errorMessage(error) },
      "soft delete failed",
    );
    throw error;
  }
}

/** Leaf step: publish the completion. Checkpointed, so a replay after it does not publish again. */
export async function publishCompletedStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  outcome: DeletionOutcome,
): Promise<DeletionCompleted> {
  const { publisher, logger } = dependencies(ctx);
  const completion: DeletionCompleted = {
    schemaVersion: 1,
    recordId: input.recordId,
    source: input.source,
    completedAt: new Date().toISOString(),
    batches: outcome.batches,
    rowsDeleted: outcome.rowsDeleted,
    transientErrorsRetried: outcome.transientErrorsRetried,
    workflowId: ctx.originId,
    // The attempt's promise id: every copy an at-least-once publish produces carries the same one.
    idempotencyKey: ctx.originId,
    attempt: input.attempt,
  };
  await publisher.publishCompleted(completion).catch(rethrowPublishError);
  logger.info(
    {
      event: LOG_EVENTS.completed,
      ...position(input),
      batches: outcome.batches,
      transientErrorsRetried: outcome.transientErrorsRetried,
    },
    "deletion completed and published",
  );
  return completion;
}

/** Leaf step: a deletion that failed for good goes to the dead-letter topic, request and reason. */
export async function publishFailedStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  outcome: DeletionOutcome,
): Promise<DeadLetter> {
  const { publisher, logger } = dependencies(ctx);
  const request = { schemaVersion: 1, recordId: input.recordId, requestedAt: input.requestedAt };
  const deadLetter: DeadLetter = {
    schemaVersion: 1,
    reasonCode: "WORKFLOW_FAILED",
    reason: `deletion attempt ${input.attempt} (promise ${ctx.originId}) failed after ${outcome.batches} completed batches: ${outcome.error ?? "unknown error"}`,
    source: input.source,
    keyBase64: Buffer.from(input.recordId, "utf8").toString("base64"),
    valueBase64: Buffer.from(JSON.stringify(request), "utf8").toString("base64"),
    deadLetteredAt: new Date().toISOString(),
  };
  await publisher.publishFailed(deadLetter).catch(rethrowPublishError);
  logger.error(
    { event: LOG_EVENTS.failed, ...position(input), reason: deadLetter.reason },
    "deletion failed; dead-lettered",
  );
  return deadLetter;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
