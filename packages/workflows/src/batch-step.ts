import { type DeletionCompleted, LOG_EVENTS } from "@deletion/contracts";
import type { BatchResult } from "@deletion/record-store";
import type { Context } from "@resonatehq/sdk";
import { inBatchTurn } from "./batch-pacing.js";
import { PermanentPublishError, rethrowPublishError } from "./completion-publisher.js";
import { type DeletionDependencies, dependencies, errorMessage, position } from "./deletion-steps.js";
import type { DeletionWorkflowInput } from "./workflow-input.js";
import type { BatchProgress } from "./workflow-shape.js";

/** What one batch step did; it is the step's checkpoint, stored in its durable promise. */
export interface BatchStepResult extends BatchResult {
  /** Which attempt succeeded: attempt - 1 transient errors were retried for this batch. */
  attempt: number;
  /**
   * Set on the record's last batch: "published" once the completion is on its topic,
   * "refused" when the broker refused it for good (why in `publishError`).
   */
  completion?: "published" | "refused";
  publishError?: string;
}

/**
 * The one step a batch costs: the pause (first attempt only), the soft delete on batch 1, the
 * batch, and the completion once no rows are left; so a record of one batch costs the server four
 * requests. After a crash the unchecked batch and its completion run again.
 * Why: docs/decisions/one-step-per-batch.md
 */
export async function batchStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  batch: number,
  pauseMs: number,
  before: BatchProgress,
): Promise<BatchStepResult> {
  const deps = dependencies(ctx);
  const attempt = ctx.info.attempt;
  if (pauseMs > 0 && attempt === 1) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const fields = { ...position(input), batch, attempt, stepId: ctx.id };
  // The soft delete shares the first batch's turn: a held pace holds it too.
  const result = await inBatchTurn(ctx, async (limit) => {
    if (batch === 1) await softDelete(deps, input.recordId, fields);
    return deleteOneBatch(deps, input.recordId, fields, input.attempt, limit);
  });
  // A store's own record of the batch wins: a repeat reports the run that deleted the rows.
  const done: BatchStepResult = {
    rowsDeleted: result.rowsDeleted,
    rowsRemain: result.rowsRemain,
    attempt: result.recorded?.attempt ?? attempt,
  };
  if (result.rowsRemain) return done;
  const total: BatchProgress = {
    batches: before.batches + 1,
    rowsDeleted: before.rowsDeleted + result.rowsDeleted,
    transientErrorsRetried: before.transientErrorsRetried + done.attempt - 1,
  };
  try {
    await publishCompletion(deps, input, total, ctx.originId, result.recorded?.at);
    return { ...done, completion: "published" };
  } catch (error) {
    // Refused for good: the step still succeeds, so the deleted batch is checkpointed and never
    // deleted again; the workflow dead-letters the request instead (deletion-workflow.ts).
    if (error instanceof PermanentPublishError) {
      return { ...done, completion: "refused", publishError: errorMessage(error) };
    }
    throw error;
  }
}

type StepFields = ReturnType<typeof position> & { batch: number; attempt: number; stepId: string };

/** The store's soft delete (when it has one), before any row is hard-deleted. Idempotent. */
async function softDelete(deps: DeletionDependencies, recordId: string, fields: StepFields): Promise<void> {
  const { store, logger } = deps;
  if (!store.markDeleted) return;
  try {
    const { rowsMarked } = await store.markDeleted(recordId);
    logger.info({ event: LOG_EVENTS.softDeleted, ...fields, rowsMarked }, "record marked deleted");
  } catch (error) {
    logger.warn(
      { event: LOG_EVENTS.softDeleteFailed, ...fields, err: errorMessage(error) },
      "soft delete failed",
    );
    throw error;
  }
}

async function deleteOneBatch(
  deps: DeletionDependencies,
  recordId: string,
  fields: StepFields,
  deletionAttempt: number,
  limit: number | undefined,
): Promise<BatchResult> {
  const { store, logger } = deps;
  try {
    const result = await store.deleteBatch(recordId, {
      batch: fields.batch,
      attempt: fields.attempt,
      deletionAttempt,
      ...(limit !== undefined ? { limit } : {}),
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
    return result;
  } catch (error) {
    logger.warn({ event: LOG_EVENTS.batchFailed, ...fields, err: errorMessage(error) }, "batch failed");
    throw error;
  }
}

/**
 * Publishes the record's completion, built from the checkpoints and the store's ledger (a repeat
 * with a ledger publishes the same message). Transient failures are retried here, never by running
 * the step and its deleted batch again; a refusal for good throws PermanentPublishError.
 */
async function publishCompletion(
  deps: DeletionDependencies,
  input: DeletionWorkflowInput,
  total: BatchProgress,
  promiseId: string,
  /** When the last batch committed, as the store recorded it; else now. */
  completedAt = new Date().toISOString(),
): Promise<void> {
  const { publisher, logger } = deps;
  const completion: DeletionCompleted = {
    schemaVersion: 1,
    recordId: input.recordId,
    source: input.source,
    completedAt: new Date(completedAt).toISOString(),
    ...total,
    workflowId: promiseId,
    // The attempt's promise id: every copy an at-least-once publish produces carries the same one.
    idempotencyKey: promiseId,
    attempt: input.attempt,
  };
  for (;;) {
    try {
      await publisher.publishCompleted(completion).catch(rethrowPublishError);
      break;
    } catch (error) {
      if (error instanceof PermanentPublishError) throw error;
      logger.warn(
        {
          event: LOG_EVENTS.retrying,
          what: "publish completion",
          ...position(input),
          err: errorMessage(error),
        },
        "publish completion failed; retrying",
      );
    }
  }
  logger.info(
    {
      event: LOG_EVENTS.completed,
      ...position(input),
      batches: total.batches,
      transientErrorsRetried: total.transientErrorsRetried,
    },
    "deletion completed and published",
  );
}
