import { randomUUID } from "node:crypto";
import { RecordIdSchema, SourcePositionSchema } from "@deletion/contracts";
import {
  explainAuthRefusal,
  openStoredPromise,
  type PayloadCipher,
  PLAINTEXT_PAYLOADS,
  type StoredPromise,
} from "@deletion/resonate-client";
import { decodeStoredValue, type PromiseIds, readAttempt } from "@deletion/workflows";
import { z } from "zod";

/*
 * Where a record's deletion stands, answered from its durable promises (the latest attempt, and
 * the checkpoints of its steps) and, when there is one, the store. Read-only: nothing here
 * creates, settles or claims a promise.
 */

/** A promise as a status read sees it; settledAt is when the server settled it. */
export interface StatusPromise extends StoredPromise {
  settledAt?: number | undefined;
  tags?: Record<string, string> | undefined;
}

export interface PromiseSearch {
  tags?: Record<string, string>;
  state?: "pending" | "resolved" | "rejected";
  limit: number;
  cursor?: string | undefined;
}

/** Reads promises; get answers undefined for an id with none. Throws ResonateUnreachableError. */
export interface StatusSource {
  /** Where the promises are read, for messages ("http://resonate:8001", "the in-process network"). */
  readonly where: string;
  get(promiseId: string): Promise<StatusPromise | undefined>;
  /** Absent when the network cannot search (the in-process one). */
  search?(query: PromiseSearch): Promise<{ promises: StatusPromise[]; cursor?: string | undefined }>;
}

/** The Resonate server did not answer (refused, timed out, or answered with an error). */
export class ResonateUnreachableError extends Error {
  override readonly name: string = "ResonateUnreachableError";
}

/** The Resonate server answered, with an error status (say 403: the token may not do this). */
export class ResonateRefusedError extends ResonateUnreachableError {
  override readonly name = "ResonateRefusedError";
  constructor(
    message: string,
    readonly kind: string,
    readonly status: number,
  ) {
    super(message);
  }
}

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

async function statusOf(recordId: string, { ids, source, inspector, maxCheckpoints }: StatusOptions) {
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

/**
 * Records whose latest deletion attempt failed, found by searching the server's settled promises
 * (every settled workflow promise is read, so the scan is bounded by `maxScanned`; `complete`
 * says whether it got through them all).
 */
export async function listFailed(
  options: StatusOptions & { limit: number; maxScanned?: number },
): Promise<{ ok: true; failed: RecordStatus[]; complete: boolean } | { ok: false; reason: string }> {
  const maxScanned = options.maxScanned ?? 100_000;
  let scanned = 0;
  const { source, ids } = options;
  if (!source.search) {
    return { ok: false, reason: `${source.where} cannot search promises: listing needs a Resonate server` };
  }
  const seen = new Set<string>();
  const failed: RecordStatus[] = [];
  try {
    for (const state of ["resolved", "rejected"] as const) {
      let cursor: string | undefined;
      do {
        const page = await source.search({ tags: { "resonate:scope": "global" }, state, limit: 100, cursor });
        scanned += page.promises.length;
        for (const promise of page.promises) {
          const parsed = ids.parse(promise.id);
          if (!parsed || seen.has(parsed.recordId)) continue;
          const attempt = readAttempt(promise, { ...parsed, promiseId: promise.id });
          if (attempt.kind !== "failed") continue;
          seen.add(parsed.recordId);
          // A later attempt may have succeeded since: report where the record stands now.
          const status = await statusOf(parsed.recordId, options);
          if (status.state === "failed") failed.push(status);
          if (failed.length >= options.limit) return { ok: true, failed, complete: false };
        }
        cursor = page.cursor;
        if (cursor && scanned >= maxScanned) return { ok: true, failed, complete: false };
      } while (cursor);
    }
  } catch (error) {
    if (error instanceof ResonateRefusedError && error.status === 403 && error.kind === "promise.search") {
      return {
        ok: false,
        reason: `${error.message}; listing searches the server, which needs a token with an empty prefix or the admin role`,
      };
    }
    if (error instanceof ResonateUnreachableError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, failed, complete: true };
}

export interface HttpStatusSourceOptions {
  /** Per request; default 3 s. */
  timeoutMs?: number | undefined;
  /** Bearer token for a server that checks them (as the worker's). */
  token?: string | undefined;
  /** Opens encrypted params and values (the workers' keys); default plain. */
  payloads?: PayloadCipher | undefined;
}

/** Reads promises from a Resonate server over its HTTP API (the protocol the SDK speaks). */
export function httpStatusSource(url: string, options: HttpStatusSourceOptions = {}): StatusSource {
  const base = url.replace(/\/+$/, "");
  const { token, timeoutMs = 3_000, payloads = PLAINTEXT_PAYLOADS } = options;
  const call = async (kind: string, data: unknown): Promise<{ status: number; body: unknown }> => {
    let response: Response;
    try {
      response = await fetch(base, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          kind,
          head: { corrId: randomUUID(), version: "2026-04-01", ...(token ? { auth: token } : {}) },
          data,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new ResonateUnreachableError(`the Resonate server at ${base} is unreachable (${why})`);
    }
    const body = (await response.json().catch(() => undefined)) as {
      head?: { status?: number };
      data?: unknown;
    };
    return { status: body?.head?.status ?? response.status, body: body?.data };
  };
  const refused = (kind: string, data: unknown, status: number, body: unknown) => {
    const why = explainAuthRefusal(status, token, { kind, data });
    return new ResonateRefusedError(
      `the Resonate server at ${base} answered ${kind} with ${status}${typeof body === "string" ? `: ${body}` : ""}${why ? ` (${why})` : ""}`,
      kind,
      status,
    );
  };
  return {
    where: `the Resonate server at ${base}`,
    async get(promiseId) {
      const data = { id: promiseId };
      const { status, body } = await call("promise.get", data);
      if (status === 404) return undefined;
      if (status !== 200) throw refused("promise.get", data, status, body);
      return openStoredPromise((body as { promise: StatusPromise }).promise, payloads);
    },
    async search(query) {
      const data = {
        ...(query.tags ? { tags: query.tags } : {}),
        ...(query.state ? { state: query.state } : {}),
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      };
      const { status, body } = await call("promise.search", data);
      if (status !== 200) throw refused("promise.search", data, status, body);
      const page = body as { promises?: StatusPromise[]; cursor?: string };
      return {
        promises: (page.promises ?? []).map((p) => openStoredPromise(p, payloads)),
        cursor: page.cursor,
      };
    },
  };
}

/** A person's reading of a status, one fact a line. */
export function describeStatus(status: RecordStatus): string[] {
  const lines: string[] = [];
  const storeLines = (store: RecordView | undefined) => {
    if (!store) return;
    const rows = store.remaining.map((r) => `${r.table} ${r.rows}`).join(", ");
    lines.push(`  rows left:   ${rows}`);
    if (store.deletedAt) lines.push(`  soft-deleted at ${store.deletedAt}`);
  };
  switch (status.state) {
    case "unknown":
      lines.push(`${status.recordId}: unknown (no deletion was ever requested)`);
      storeLines(status.store);
      break;
    case "accepted":
      lines.push(
        status.progressUnknown !== undefined
          ? `${status.recordId}: running${status.softDeleted ? " (soft-deleted)" : ""}; batches done so far not known: ${status.progressUnknown}`
          : `${status.recordId}: accepted${status.softDeleted ? " (soft-deleted; no batch deleted yet)" : " (no batch deleted yet)"}`,
      );
      lines.push(`  attempt ${status.attempt}, promise ${status.promiseId}`);
      storeLines(status.store);
      break;
    case "deleting":
      lines.push(
        `${status.recordId}: deleting (${status.batches} batches done, ${status.rowsDeleted} rows deleted so far)`,
      );
      lines.push(`  attempt ${status.attempt}, promise ${status.promiseId}`);
      storeLines(status.store);
      break;
    case "done":
      lines.push(
        `${status.recordId}: done${status.completedAt ? ` at ${status.completedAt}` : ""} (${status.batches} batches, ${status.rowsDeleted} rows)`,
      );
      lines.push(
        `  request ${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}; attempt ${status.attempt}, promise ${status.promiseId}`,
      );
      storeLines(status.store);
      break;
    case "failed":
      lines.push(
        `${status.recordId}: failed${status.failedAt ? ` at ${status.failedAt}` : ""}: ${status.reason}`,
      );
      lines.push(
        `  request ${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}; attempt ${status.attempt}, promise ${status.promiseId}`,
      );
      lines.push(`  to retry: ${status.retry}`);
      storeLines(status.store);
      break;
    case "foreign":
      lines.push(
        `${status.recordId}: promise ${status.promiseId} is not one of this project's: ${status.reason}`,
      );
      break;
    case "unreachable":
      lines.push(`${status.recordId}: status unknown: ${status.reason}`);
      break;
  }
  return lines;
}

/** A source over a plain lookup (the in-process network): no search, so no batch progress. */
export function lookupStatusSource(
  lookup: (promiseId: string) => Promise<StoredPromise | undefined>,
  where: string,
): StatusSource {
  return { where, get: lookup };
}

/** The answer of GET /status/<recordId>: 400 for an id no request could carry, 404 unknown, 503 unreachable. */
export async function statusAnswer(
  recordId: string,
  options: StatusOptions,
): Promise<{ httpStatus: number; body: RecordStatus | { error: string } }> {
  const valid = RecordIdSchema.safeParse(recordId);
  if (!valid.success) return { httpStatus: 400, body: { error: `"${recordId}" is not a record id` } };
  const status = await readRecordStatus(recordId, options);
  const httpStatus = status.state === "unknown" ? 404 : status.state === "unreachable" ? 503 : 200;
  return { httpStatus, body: status };
}
