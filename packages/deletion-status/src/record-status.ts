import { SourcePositionSchema } from "@deletion/contracts";
import { decodeStoredValue, type PromiseIds, readAttempt } from "@deletion/workflows";
import { z } from "zod";
import {
  ResonateRefusedError,
  ResonateUnreachableError,
  type StatusPromise,
  type StatusSource,
} from "./status-source.js";

/*
 * Where a record's deletion stands, answered from its durable promises (the latest attempt, and
 * the checkpoints of its steps) and, when there is one, the store. Read-only: nothing here
 * creates, settles or claims a promise.
 */

/** What the store holds of a record (PostgresRecordStore.inspect). */
export interface RecordView {
  deletedAt: string | null;
  parentPresent: boolean;
  remaining: { table: string; rows: number }[];
}

export interface RecordInspector {
  inspect(recordId: string): Promise<RecordView>;
}

const RecordViewSchema = z.object({
  deletedAt: z.string().nullable(),
  parentPresent: z.boolean(),
  remaining: z.array(z.object({ table: z.string(), rows: z.number().int().nonnegative() })),
});

const attemptFields = {
  recordId: z.string(),
  attempt: z.number().int().positive(),
  promiseId: z.string(),
};

export const RecordStatusSchema = z.discriminatedUnion("state", [
  z.object({ state: z.literal("unknown"), recordId: z.string(), store: RecordViewSchema.optional() }),
  z.object({
    state: z.literal("accepted"),
    ...attemptFields,
    softDeleted: z.boolean(),
    /** Set when the batches done so far could not be counted: why (then some may be done). */
    progressUnknown: z.string().optional(),
    store: RecordViewSchema.optional(),
  }),
  z.object({
    state: z.literal("deleting"),
    ...attemptFields,
    softDeleted: z.boolean(),
    batches: z.number().int().nonnegative(),
    rowsDeleted: z.number().int().nonnegative(),
    store: RecordViewSchema.optional(),
  }),
  z.object({
    state: z.literal("done"),
    ...attemptFields,
    completedAt: z.string().optional(),
    batches: z.number().int().nonnegative(),
    rowsDeleted: z.number().int().nonnegative(),
    /** The request's position, which the completion message carries. */
    source: SourcePositionSchema,
    store: RecordViewSchema.optional(),
  }),
  z.object({
    state: z.literal("failed"),
    ...attemptFields,
    reason: z.string(),
    failedAt: z.string().optional(),
    source: SourcePositionSchema,
    retry: z.string(),
    store: RecordViewSchema.optional(),
  }),
  z.object({ state: z.literal("foreign"), ...attemptFields, reason: z.string() }),
  z.object({ state: z.literal("unreachable"), recordId: z.string(), reason: z.string() }),
]);

export type RecordStatus = z.infer<typeof RecordStatusSchema>;

/** The value of a batch step's checkpoint (BatchStepResult). */
const BatchCheckpointSchema = z.object({
  rowsDeleted: z.number().int().nonnegative(),
  rowsRemain: z.boolean(),
  attempt: z.number().int().positive(),
});

/** How a person retries a failed deletion: its dead letter re-driven, or a new request. */
export const RETRY_HINT =
  "re-drive its dead letter (redrive --reason WORKFLOW_FAILED) or send a new request for the record: a new request after a failed attempt starts the next attempt";

export interface StatusOptions {
  ids: PromiseIds;
  source: StatusSource;
  inspector?: RecordInspector | undefined;
  /** Checkpoints read at most (pages of 100) when adding up a running deletion's batches. */
  maxCheckpoints?: number;
}

export async function readRecordStatus(recordId: string, options: StatusOptions): Promise<RecordStatus> {
  try {
    return await statusOf(recordId, options);
  } catch (error) {
    if (error instanceof ResonateUnreachableError)
      return { state: "unreachable", recordId, reason: error.message };
    throw error;
  }
}

export async function statusOf(recordId: string, { ids, source, inspector, maxCheckpoints }: StatusOptions) {
  const store = inspector ? await inspector.inspect(recordId) : undefined;
  const withStore = store ? { store } : {};
  // Attempt n + 1 exists only after attempt n failed: the first that is not failed is the latest.
  let latest: { attempt: number; promiseId: string; promise: StatusPromise } | undefined;
  for (let attempt = 1; ; attempt++) {
    const promiseId = ids.of(recordId, attempt);
    const promise = await source.get(promiseId);
    if (!promise) break;
    latest = { attempt, promiseId, promise };
    const state = readAttempt(promise, { recordId, attempt, promiseId });
    if (state.kind !== "failed") break;
  }
  if (!latest) return { state: "unknown" as const, recordId, ...withStore };
  const { attempt, promiseId, promise } = latest;
  const ref = { recordId, attempt, promiseId };
  const state = readAttempt(promise, ref);
  const settledAt = promise.settledAt ? new Date(promise.settledAt).toISOString() : undefined;
  switch (state.kind) {
    case "absent":
      return { state: "unknown" as const, recordId, ...withStore };
    case "foreign":
      return { state: "foreign" as const, ...ref, reason: state.reason };
    case "completed":
      return {
        state: "done" as const,
        ...ref,
        ...(settledAt ? { completedAt: settledAt } : {}),
        batches: state.outcome.batches,
        rowsDeleted: state.outcome.rowsDeleted,
        source: state.input.source,
        ...withStore,
      };
    case "failed":
      return {
        state: "failed" as const,
        ...ref,
        reason: state.reason,
        ...(settledAt ? { failedAt: settledAt } : {}),
        source: state.input.source,
        retry: RETRY_HINT,
        ...withStore,
      };
    case "running": {
      const progress = await checkpointsOf(source, promiseId, maxCheckpoints ?? 10_000);
      const softDeleted = progress.softDeleted || (store?.deletedAt ?? null) !== null;
      if (progress.unknown !== undefined)
        return {
          state: "accepted" as const,
          ...ref,
          softDeleted,
          progressUnknown: progress.unknown,
          ...withStore,
        };
      if (progress.batches === 0) return { state: "accepted" as const, ...ref, softDeleted, ...withStore };
      return {
        state: "deleting" as const,
        ...ref,
        softDeleted,
        batches: progress.batches,
        rowsDeleted: progress.rowsDeleted,
        ...withStore,
      };
    }
  }
}

/**
 * Adds up the settled step checkpoints of one attempt (every step promise carries the attempt's
 * promise id as its origin tag, segments included). Without search (in-process), none.
 */
async function checkpointsOf(source: StatusSource, promiseId: string, max: number) {
  const progress: { softDeleted: boolean; batches: number; rowsDeleted: number; unknown?: string } = {
    softDeleted: false,
    batches: 0,
    rowsDeleted: 0,
  };
  if (!source.search) return progress;
  let cursor: string | undefined;
  let read = 0;
  do {
    let page: { promises: StatusPromise[]; cursor?: string | undefined };
    try {
      page = await source.search({
        tags: { "resonate:origin": promiseId },
        state: "resolved",
        limit: 100,
        cursor,
      });
    } catch (error) {
      // Server v0.9.8 refuses every search to a token scoped to a prefix (auth.rs); the record's
      // own promise was readable, so say what is known rather than fail the whole answer.
      if (error instanceof ResonateRefusedError && error.status === 403) {
        return { softDeleted: progress.softDeleted, batches: 0, rowsDeleted: 0, unknown: error.message };
      }
      throw error;
    }
    for (const step of page.promises) {
      if (step.id === promiseId) continue;
      const value = decodeStoredValue(step.value);
      if (!value.ok) continue;
      const batch = BatchCheckpointSchema.safeParse(value.value);
      if (batch.success) {
        progress.batches += 1;
        progress.rowsDeleted += batch.data.rowsDeleted;
        // The first batch's step soft-deletes before it deletes: any batch done means it was.
        progress.softDeleted = true;
      }
    }
    read += page.promises.length;
    cursor = page.cursor;
  } while (cursor && read < max);
  return progress;
}
