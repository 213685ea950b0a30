import { PermanentDeletionError, UnknownSelectorError } from "@deletion/record-store";
import type { Context } from "@resonatehq/sdk";
import type {
  BulkOutcome,
  BulkTotals,
  BulkWorkflowInput,
  FanOutPageStep,
  FollowStep,
  SoftDeleteBatchStep,
} from "./bulk-input.js";
import {
  bulkEndStep,
  bulkStartStep,
  fanOutPageStep,
  followStep,
  publishBulkCompletedStep,
  publishPageStep,
  restStep,
  softDeleteBatchStep,
} from "./bulk-steps.js";
import { PermanentPublishError } from "./completion-publisher.js";
import { errorMessage } from "./deletion-steps.js";

/** The name the bulk workflow is registered under; stored in its promises, so never renamed. */
export const BULK_WORKFLOW_NAME = "deleteBulk";

/**
 * One durable workflow per bulkId, in three phases, each step a checkpoint:
 *
 * 1. soft delete: the whole selection is flagged deleted in keyset batches, so readers see it
 *    gone before any record is requested;
 * 2. fan out: page by page, the page's ids are read (a checkpoint), then one DeletionRequested
 *    per record is published on the request topic (another checkpoint; each record then runs its
 *    own deletion workflow on any worker); a cancel found before a page stops it;
 * 3. follow: each page's records are looked at until every one has finished, then the totals
 *    are published as a BulkDeletionCompleted.
 *
 * The body is replayed from the top on every resume, so it only yields steps and adds up their
 * results; every read, publish and log line happens inside a step.
 */
export function* bulkWorkflow(ctx: Context, input: BulkWorkflowInput): Generator<unknown, BulkOutcome> {
  const options = ctx.options({
    nonRetryableErrors: [PermanentDeletionError, UnknownSelectorError, PermanentPublishError],
  });
  const startedAt: string = yield* ctx.run(bulkStartStep, input, options);
  const totals: BulkTotals = {
    matched: 0,
    softDeleted: 0,
    requested: 0,
    deleted: 0,
    failed: 0,
    failedIds: [],
    rowsDeleted: 0,
    notRequested: 0,
    restored: 0,
  };
  const pages: string[][] = [];
  let cancelled = false;
  let error: string | undefined;
  try {
    let after: string | null = null;
    for (let batch = 1; ; batch++) {
      const step: SoftDeleteBatchStep = yield* ctx.run(softDeleteBatchStep, input, batch, after, options);
      totals.matched += step.matched;
      totals.softDeleted += step.marked;
      if (step.last === null) break;
      after = step.last;
    }
    after = null;
    for (let page = 1; ; page++) {
      const step: FanOutPageStep = yield* ctx.run(fanOutPageStep, input, page, after, options);
      if (step.cancel) {
        cancelled = true;
        const rest: { notRequested: number; restored: number } = yield* ctx.run(
          restStep,
          input,
          after,
          step.cancel.restore,
          options,
        );
        totals.notRequested = rest.notRequested;
        totals.restored = rest.restored;
        break;
      }
      if (step.ids.length > 0) {
        yield* ctx.run(publishPageStep, input, page, { ids: step.ids, last: step.last }, options);
        pages.push(step.ids);
      }
      totals.requested += step.ids.length;
      if (step.last === null) break;
      after = step.last;
    }
  } catch (failure) {
    error = errorMessage(failure);
  }
  // Records already requested finish whatever happened after: they are followed to their end.
  for (const ids of pages) {
    let pending: string[] = ids;
    for (let look = 0; pending.length > 0; look++) {
      const pauseMs = look === 0 ? 0 : input.shape.followPollMs;
      const step: FollowStep = yield* ctx.run(followStep, input, pending, pauseMs, options);
      totals.deleted += step.deleted;
      totals.failedIds.push(...step.failedIds);
      totals.rowsDeleted += step.rowsDeleted;
      pending = step.pending;
    }
  }
  totals.failed = totals.failedIds.length;
  const completedAt: string = yield* ctx.run(bulkEndStep, options);
  const outcome: BulkOutcome = {
    bulkId: input.bulkId,
    status: error !== undefined ? "failed" : cancelled ? "cancelled" : "completed",
    ...(error !== undefined ? { error } : {}),
    ...totals,
    startedAt,
    completedAt,
  };
  yield* ctx.run(publishBulkCompletedStep, outcome, input, options);
  return outcome;
}
