import {
  BULK_LOG_EVENTS,
  BULK_MAX_FAILED_IDS,
  type BulkDeletionCompleted,
  type DeletionRequested,
  type StructuredLogger,
} from "@deletion/contracts";
import { type BulkSelection, type BulkSelectionStore, selectionProblem } from "@deletion/record-store";
import type { Context } from "@resonatehq/sdk";
import type {
  BulkOutcome,
  BulkWorkflowInput,
  FanOutPageStep,
  FollowStep,
  PublishPageStep,
  SoftDeleteBatchStep,
} from "./bulk-input.js";
import { rethrowPublishError } from "./completion-publisher.js";

/** Where a bulk's messages go: record requests to the request topic, its end to the bulk completions. */
export interface BulkPublisher {
  /** One DeletionRequested per record, keyed by record id, with the bulk-id header; all acknowledged. */
  publishRequests(bulkId: string, requests: readonly DeletionRequested[]): Promise<void>;
  publishCompleted(completion: BulkDeletionCompleted): Promise<void>;
}

/** Where one record of a bulk stands, from its deletion attempts' promises. */
export type RecordProgress =
  | { kind: "pending" }
  | { kind: "deleted"; rowsDeleted: number }
  | { kind: "failed" };

/** Services the bulk's leaf steps use, registered once per Resonate client. */
export interface BulkDependencies {
  selection: BulkSelectionStore;
  publisher: BulkPublisher;
  logger: StructuredLogger;
  /** Where the record's latest deletion attempt stands; `requestedAt` is the bulk's. */
  recordProgress(recordId: string, requestedAt: string): Promise<RecordProgress>;
  /** The cancel request made for the bulk (bulk cancel), if any. */
  cancelOf(bulkId: string): Promise<{ restore: boolean } | undefined>;
}

export const BULK_DEPENDENCIES = "bulk.dependencies";

export function bulkDependencies(ctx: Context): BulkDependencies {
  const deps = ctx.getDependency<BulkDependencies>(BULK_DEPENDENCIES);
  if (!deps) throw new Error(`Resonate dependency "${BULK_DEPENDENCIES}" is not registered`);
  return deps;
}

/** The selection a bulk's input names. */
export function selectionOf(input: BulkWorkflowInput): BulkSelection {
  if (input.ids) return { kind: "ids", ids: input.ids };
  return { kind: "selector", selector: input.selector ?? "", params: input.params ?? {} };
}

/** Leaf step: when the bulk began (its first run), so rates and the completion have a start. */
export async function bulkStartStep(ctx: Context, input: BulkWorkflowInput): Promise<string> {
  const { logger } = bulkDependencies(ctx);
  logger.info(
    {
      event: BULK_LOG_EVENTS.bulkStarted,
      bulkId: input.bulkId,
      selector: input.selector ?? "ids",
      promiseId: ctx.originId,
    },
    "bulk deletion started",
  );
  return new Date().toISOString();
}

/** Leaf step: one keyset batch of the soft delete. Flagging again changes nothing, so a repeat is harmless. */
export async function softDeleteBatchStep(
  ctx: Context,
  input: BulkWorkflowInput,
  batch: number,
  after: string | null,
): Promise<SoftDeleteBatchStep> {
  const { selection, logger } = bulkDependencies(ctx);
  const result = await selection.softDeleteBatch(selectionOf(input), after, input.shape.softDeleteBatch);
  logger.info(
    {
      event: BULK_LOG_EVENTS.bulkSoftDeleted,
      bulkId: input.bulkId,
      batch,
      matched: result.matched,
      marked: result.marked,
    },
    "bulk soft-delete batch",
  );
  return { ...result, at: new Date().toISOString() };
}

/**
 * Leaf step: reads one fan-out page. Looks for a cancel first (then reads nothing); else reads
 * the next page of ids. Publishes nothing: the ids are checkpointed first, so whatever happens
 * to the records once requested, a publish run again after a crash sends the same ids.
 */
export async function fanOutPageStep(
  ctx: Context,
  input: BulkWorkflowInput,
  page: number,
  after: string | null,
): Promise<FanOutPageStep> {
  const { selection, logger } = bulkDependencies(ctx);
  const cancel = await bulkDependencies(ctx).cancelOf(input.bulkId);
  // A cancel that comes once every record is requested stops nothing: the bulk completes.
  if (cancel && after !== null && (await selection.pageIds(selectionOf(input), after, 1)).ids.length === 0) {
    return { ids: [], last: null, at: new Date().toISOString() };
  }
  if (cancel) {
    logger.info(
      { event: BULK_LOG_EVENTS.bulkCancelled, bulkId: input.bulkId, page, restore: cancel.restore },
      "bulk cancelled: no further pages are published",
    );
    return { ids: [], last: after, cancel, at: new Date().toISOString() };
  }
  const { ids, last } = await selection.pageIds(selectionOf(input), after, input.shape.pageSize);
  return { ids, last, at: new Date().toISOString() };
}

/**
 * Leaf step: publishes one request per record of a page read before. Run again after a crash
 * before its checkpoint, it publishes the same requests again: each record's deletion dedupes
 * by its promise id, so the copies attach to (or report) the deletion the first copy started.
 */
export async function publishPageStep(
  ctx: Context,
  input: BulkWorkflowInput,
  page: number,
  read: Pick<FanOutPageStep, "ids" | "last">,
): Promise<PublishPageStep> {
  const { publisher, logger } = bulkDependencies(ctx);
  const requests: DeletionRequested[] = read.ids.map((recordId) => ({
    schemaVersion: 1,
    recordId,
    // The bulk's own time: a record's attempt started by this bulk carries it (see recordProgress).
    requestedAt: input.requestedAt,
  }));
  await publisher.publishRequests(input.bulkId, requests).catch(rethrowPublishError);
  logger.info(
    { event: BULK_LOG_EVENTS.bulkPagePublished, bulkId: input.bulkId, page, records: requests.length },
    "bulk page published",
  );
  return { page, published: requests.length, last: read.last, at: new Date().toISOString() };
}

/** Leaf step: counts (and, with restore, un-flags) the records a cancelled bulk never requested. */
export async function restStep(
  ctx: Context,
  input: BulkWorkflowInput,
  after: string | null,
  restore: boolean,
): Promise<{ notRequested: number; restored: number }> {
  return bulkDependencies(ctx).selection.rest(selectionOf(input), after, restore);
}

/** Lookups of one follow step run at most this many at a time. */
const FOLLOW_CONCURRENCY = 16;

/**
 * Leaf step: after the pause, looks at each still pending record of a page once. Read only, so
 * a repeat after a crash changes nothing. Its result is the checkpoint: records found finished
 * are never looked at again.
 */
export async function followStep(
  ctx: Context,
  input: BulkWorkflowInput,
  pending: readonly string[],
  pauseMs: number,
): Promise<FollowStep> {
  const deps = bulkDependencies(ctx);
  if (pauseMs > 0 && ctx.info.attempt === 1) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const result: FollowStep = { deleted: 0, failedIds: [], rowsDeleted: 0, pending: [], at: "" };
  const states = new Array<{ id: string; progress: RecordProgress }>(pending.length);
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const index = next++;
      const id = pending[index] as string;
      states[index] = { id, progress: await deps.recordProgress(id, input.requestedAt) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(FOLLOW_CONCURRENCY, pending.length) }, worker));
  for (const { id, progress } of states) {
    if (progress.kind === "pending") result.pending.push(id);
    else if (progress.kind === "failed") result.failedIds.push(id);
    else {
      result.deleted++;
      result.rowsDeleted += progress.rowsDeleted;
    }
  }
  return { ...result, at: new Date().toISOString() };
}

/**
 * Leaf step: publishes the bulk's completion. A crash after the publish and before this
 * checkpoint publishes it again; every copy carries the same idempotency key.
 */
export async function publishBulkCompletedStep(
  ctx: Context,
  outcome: BulkOutcome,
  input: BulkWorkflowInput,
): Promise<void> {
  const { publisher, logger } = bulkDependencies(ctx);
  const completion: BulkDeletionCompleted = {
    schemaVersion: 1,
    bulkId: outcome.bulkId,
    status: outcome.status,
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(input.selector !== undefined ? { selector: input.selector, params: input.params ?? {} } : {}),
    matched: outcome.matched,
    softDeleted: outcome.softDeleted,
    requested: outcome.requested,
    deleted: outcome.deleted,
    failed: outcome.failed,
    failedIds: outcome.failedIds.slice(0, BULK_MAX_FAILED_IDS),
    failedIdsTruncated: outcome.failedIds.length > BULK_MAX_FAILED_IDS,
    rowsDeleted: outcome.rowsDeleted,
    notRequested: outcome.notRequested,
    restored: outcome.restored,
    startedAt: outcome.startedAt,
    completedAt: outcome.completedAt,
    idempotencyKey: ctx.originId,
  };
  await publisher.publishCompleted(completion).catch(rethrowPublishError);
  logger.info(
    {
      event: BULK_LOG_EVENTS.bulkCompleted,
      bulkId: outcome.bulkId,
      status: outcome.status,
      matched: outcome.matched,
      requested: outcome.requested,
      deleted: outcome.deleted,
      failed: outcome.failed,
    },
    "bulk deletion ended",
  );
}

/** Leaf step: the time the bulk ended, fixed once so every replay reports the same. */
export async function bulkEndStep(_ctx: Context): Promise<string> {
  return new Date().toISOString();
}

/** Why a bulk request cannot run on this deployment (an unconfigured selector, wrong parameters), or undefined. */
export function bulkRequestProblem(
  request: Pick<BulkWorkflowInput, "selector" | "params" | "ids">,
  selectors: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  const selection: BulkSelection = request.ids
    ? { kind: "ids", ids: request.ids }
    : { kind: "selector", selector: request.selector ?? "", params: request.params ?? {} };
  return selectionProblem(selection, selectors);
}
