import {
  type BulkIds,
  BulkOutcomeSchema,
  decodeStoredValue,
  FanOutPageStepSchema,
  FollowStepSchema,
  PublishPageStepSchema,
  SoftDeleteBatchStepSchema,
} from "@deletion/workflows";
import { z } from "zod";
import { ResonateRefusedError, ResonateUnreachableError, type StatusSource } from "./status-source.js";

/** Where a bulk deletion stands: its totals so far (or at its end), its rate and what is left. */
export const BulkStatusSchema = z.object({
  bulkId: z.string(),
  promiseId: z.string(),
  state: z.enum(["unknown", "running", "completed", "cancelled", "failed", "unreachable"]),
  /** running: soft-deleting, fanning-out (publishing pages) or following (waiting for records). */
  phase: z.enum(["soft-deleting", "fanning-out", "following", "done"]).optional(),
  matched: z.number().int().nonnegative(),
  softDeleted: z.number().int().nonnegative(),
  requested: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  failedIds: z.array(z.string()),
  rowsDeleted: z.number().int().nonnegative(),
  notRequested: z.number().int().nonnegative(),
  restored: z.number().int().nonnegative(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  /** Records finished per second since the start. */
  recordsPerSecond: z.number().nonnegative().optional(),
  /** Seconds until every matched record is finished at that rate. */
  etaSeconds: z.number().nonnegative().optional(),
  cancelRequested: z.boolean(),
  error: z.string().optional(),
});
export type BulkStatus = z.infer<typeof BulkStatusSchema>;

const empty = (bulkId: string, promiseId: string, state: BulkStatus["state"]): BulkStatus => ({
  bulkId,
  promiseId,
  state,
  matched: 0,
  softDeleted: 0,
  requested: 0,
  done: 0,
  failed: 0,
  failedIds: [],
  rowsDeleted: 0,
  notRequested: 0,
  restored: 0,
  cancelRequested: false,
});

/**
 * Reads a bulk's status from the server: its outcome once it ended, else the sum of its settled
 * step checkpoints (each step promise carries the bulk's promise id as its origin tag). Never
 * throws: an unreachable server is state "unreachable" with why.
 */
export async function readBulkStatus(
  bulkId: string,
  options: { source: StatusSource; ids: BulkIds; now?: Date; maxSteps?: number },
): Promise<BulkStatus> {
  const promiseId = options.ids.of(bulkId);
  try {
    const root = await options.source.get(promiseId);
    if (!root) return empty(bulkId, promiseId, "unknown");
    const cancelRequested = (await options.source.get(options.ids.cancelOf(bulkId))) !== undefined;
    if (root.state === "resolved") {
      const value = decodeStoredValue(root.value);
      const outcome = BulkOutcomeSchema.safeParse(value.ok ? value.value : undefined);
      if (outcome.success) {
        const o = outcome.data;
        return {
          bulkId,
          promiseId,
          state: o.status,
          phase: "done",
          matched: o.matched,
          softDeleted: o.softDeleted,
          requested: o.requested,
          done: o.deleted,
          failed: o.failed,
          failedIds: o.failedIds,
          rowsDeleted: o.rowsDeleted,
          notRequested: o.notRequested,
          restored: o.restored,
          startedAt: o.startedAt,
          completedAt: o.completedAt,
          ...rate(o.deleted + o.failed, o.matched, o.startedAt, new Date(o.completedAt)),
          cancelRequested,
          ...(o.error !== undefined ? { error: o.error } : {}),
        };
      }
    }
    if (root.state !== "pending") {
      return { ...empty(bulkId, promiseId, "failed"), cancelRequested, error: `bulk workflow ${root.state}` };
    }
    return await fromSteps(bulkId, promiseId, cancelRequested, options);
  } catch (error) {
    if (error instanceof ResonateUnreachableError || error instanceof ResonateRefusedError) {
      return { ...empty(bulkId, promiseId, "unreachable"), error: error.message };
    }
    throw error;
  }
}

async function fromSteps(
  bulkId: string,
  promiseId: string,
  cancelRequested: boolean,
  options: { source: StatusSource; now?: Date; maxSteps?: number },
): Promise<BulkStatus> {
  const status: BulkStatus = {
    ...empty(bulkId, promiseId, "running"),
    phase: "soft-deleting",
    cancelRequested,
  };
  if (!options.source.search) return status;
  let cursor: string | undefined;
  let read = 0;
  let softDeleteDone = false;
  let fanOutDone = false;
  do {
    const page = await options.source.search({
      tags: { "resonate:origin": promiseId },
      state: "resolved",
      limit: 100,
      cursor,
    });
    for (const step of page.promises) {
      if (step.id === promiseId) continue;
      const decoded = decodeStoredValue(step.value);
      if (!decoded.ok) continue;
      const value = decoded.value;
      // The start and end steps return a time each: the bulk started at the earlier one.
      if (typeof value === "string" && !Number.isNaN(Date.parse(value))) {
        if (status.startedAt === undefined || Date.parse(value) < Date.parse(status.startedAt))
          status.startedAt = value;
        continue;
      }
      const soft = SoftDeleteBatchStepSchema.safeParse(value);
      if (soft.success) {
        status.matched += soft.data.matched;
        status.softDeleted += soft.data.marked;
        if (soft.data.last === null) softDeleteDone = true;
        continue;
      }
      // A page read: the fan-out ends with a cancel or an empty last page (nothing to publish).
      const fanOut = FanOutPageStepSchema.safeParse(value);
      if (fanOut.success) {
        if (fanOut.data.cancel || (fanOut.data.last === null && fanOut.data.ids.length === 0))
          fanOutDone = true;
        continue;
      }
      // A page published: its requests count.
      const published = PublishPageStepSchema.safeParse(value);
      if (published.success) {
        status.requested += published.data.published;
        if (published.data.last === null) fanOutDone = true;
        continue;
      }
      const follow = FollowStepSchema.safeParse(value);
      if (follow.success) {
        status.done += follow.data.deleted;
        status.failedIds.push(...follow.data.failedIds);
        status.rowsDeleted += follow.data.rowsDeleted;
      }
    }
    read += page.promises.length;
    cursor = page.cursor;
  } while (cursor && read < (options.maxSteps ?? 100_000));
  status.failed = status.failedIds.length;
  status.phase = fanOutDone ? "following" : softDeleteDone ? "fanning-out" : "soft-deleting";
  if (status.startedAt) {
    Object.assign(
      status,
      rate(status.done + status.failed, status.matched, status.startedAt, options.now ?? new Date()),
    );
  }
  return status;
}

function rate(finished: number, matched: number, startedAt: string, now: Date) {
  const seconds = (now.getTime() - Date.parse(startedAt)) / 1000;
  if (!(seconds > 0) || finished === 0) return {};
  const recordsPerSecond = finished / seconds;
  return { recordsPerSecond, etaSeconds: Math.max(0, matched - finished) / recordsPerSecond };
}

/** A person's view of a bulk's status, one fact per line. */
export function describeBulkStatus(status: BulkStatus): string[] {
  if (status.state === "unknown") return [`bulk ${status.bulkId}: unknown (no promise ${status.promiseId})`];
  if (status.state === "unreachable")
    return [`bulk ${status.bulkId}: ${status.error ?? "server unreachable"}`];
  const head =
    status.state === "running"
      ? `bulk ${status.bulkId}: running (${status.phase ?? "starting"}${status.cancelRequested ? ", cancel requested" : ""})`
      : `bulk ${status.bulkId}: ${status.state}${status.error ? `: ${status.error}` : ""}`;
  const lines = [
    head,
    `  matched ${status.matched}, soft-deleted ${status.softDeleted}, requested ${status.requested}, done ${status.done}, failed ${status.failed}, rows ${status.rowsDeleted}`,
  ];
  if (status.notRequested > 0 || status.restored > 0) {
    lines.push(`  not requested ${status.notRequested}, restored ${status.restored}`);
  }
  if (status.recordsPerSecond !== undefined) {
    const eta =
      status.state === "running" && status.etaSeconds !== undefined
        ? `, ETA ${Math.ceil(status.etaSeconds)} s`
        : "";
    lines.push(`  rate ${status.recordsPerSecond.toFixed(1)} records/s${eta}`);
  }
  if (status.failedIds.length > 0)
    lines.push(
      `  failed: ${status.failedIds.slice(0, 20).join(", ")}${status.failedIds.length > 20 ? ", ..." : ""}`,
    );
  return lines;
}
