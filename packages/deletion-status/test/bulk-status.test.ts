import { BulkIds } from "@deletion/workflows";
import { describe, expect, it } from "vitest";
import { encode } from "../../workflows/test/stored-promises.js";
import {
  bulkStatusAnswer,
  describeBulkStatus,
  type PromiseSearch,
  ResonateUnreachableError,
  readBulkStatus,
  type StatusPromise,
  type StatusSource,
} from "../src/index.js";

const ids = new BulkIds("deletion");
const ROOT = "deletion/_bulk/tenant-2";

/** Promises held in memory; search filters by tags and state as the server does. */
function memorySource(promises: StatusPromise[]): StatusSource {
  const byId = new Map(promises.map((p) => [p.id, p]));
  return {
    where: "memory",
    get: async (id) => byId.get(id),
    search: async (query: PromiseSearch) => ({
      promises: promises.filter(
        (p) =>
          (!query.state || p.state.startsWith(query.state)) &&
          Object.entries(query.tags ?? {}).every(([k, v]) => p.tags?.[k] === v),
      ),
    }),
  };
}

const root = (state: StatusPromise["state"], value?: unknown): StatusPromise => ({
  id: ROOT,
  state,
  param: { data: encode({ func: "deleteBulk", args: [{}], version: 1 }) },
  value: { data: encode(value) },
  tags: { "resonate:origin": ROOT, "resonate:scope": "global" },
});

let n = 0;
const step = (value: unknown, state: StatusPromise["state"] = "resolved"): StatusPromise => ({
  id: `${ROOT}:${++n}`,
  state,
  value: { data: encode(value) },
  tags: { "resonate:origin": ROOT, "resonate:scope": "local" },
});

const at = "2026-12-01T10:00:05.000Z";
const soft = (matched: number, marked: number, last: string | null) => step({ matched, marked, last, at });
const page = (pageIds: string[], last: string | null, cancel?: { restore: boolean }) =>
  step({ ids: pageIds, last, ...(cancel ? { cancel } : {}), at });
let pages = 0;
const published = (count: number, last: string | null) => step({ page: ++pages, published: count, last, at });
const follow = (deleted: number, failedIds: string[], rowsDeleted: number, pending: string[] = []) =>
  step({ deleted, failedIds, rowsDeleted, pending, at });

const outcome = {
  bulkId: "tenant-2",
  status: "completed",
  matched: 4,
  softDeleted: 4,
  requested: 4,
  deleted: 3,
  failed: 1,
  failedIds: ["c-4"],
  rowsDeleted: 21,
  notRequested: 0,
  restored: 0,
  startedAt: "2026-12-01T10:00:00.000Z",
  completedAt: "2026-12-01T10:00:02.000Z",
};

describe("readBulkStatus", () => {
  it("unknown: the server holds no promise of the bulk", async () => {
    const status = await readBulkStatus("tenant-2", { source: memorySource([]), ids });
    expect(status).toMatchObject({ state: "unknown", promiseId: ROOT, matched: 0, requested: 0 });
    expect(describeBulkStatus(status)).toEqual([`bulk tenant-2: unknown (no promise ${ROOT})`]);
  });

  it("ended: the outcome's totals, failed ids, and the rate over the whole run", async () => {
    const status = await readBulkStatus("tenant-2", {
      source: memorySource([root("resolved", outcome)]),
      ids,
    });
    expect(status).toEqual({
      bulkId: "tenant-2",
      promiseId: ROOT,
      state: "completed",
      phase: "done",
      matched: 4,
      softDeleted: 4,
      requested: 4,
      done: 3,
      failed: 1,
      failedIds: ["c-4"],
      rowsDeleted: 21,
      notRequested: 0,
      restored: 0,
      startedAt: outcome.startedAt,
      completedAt: outcome.completedAt,
      recordsPerSecond: 2,
      etaSeconds: 0,
      cancelRequested: false,
    });
    expect(describeBulkStatus(status)).toEqual([
      "bulk tenant-2: completed",
      "  matched 4, soft-deleted 4, requested 4, done 3, failed 1, rows 21",
      "  rate 2.0 records/s",
      "  failed: c-4",
    ]);
  });

  it("running: adds up the settled step checkpoints of this bulk only, rate and ETA from its start", async () => {
    const source = memorySource([
      root("pending"),
      // start and end steps both return a time: the earlier is the start
      step("2026-12-01T10:00:00.000Z"),
      soft(3, 3, "c-3"),
      soft(1, 0, null),
      page(["c-1", "c-2"], "c-2"),
      published(2, "c-2"),
      page(["c-3"], "c-3"),
      published(1, "c-3"),
      // the last page read, not yet published: not requested, still fanning out
      page(["c-4"], null),
      follow(1, [], 7, ["c-2"]),
      follow(1, ["c-3"], 5),
      // not settled yet: not counted
      { ...follow(1, [], 9), state: "pending" },
      // another bulk's step
      { ...published(1, null), tags: { "resonate:origin": "deletion/_bulk/other" } },
    ]);
    const status = await readBulkStatus("tenant-2", {
      source,
      ids,
      now: new Date("2026-12-01T10:00:10.000Z"),
    });
    expect(status).toMatchObject({
      state: "running",
      phase: "fanning-out",
      matched: 4,
      softDeleted: 3,
      requested: 3,
      done: 2,
      failed: 1,
      failedIds: ["c-3"],
      rowsDeleted: 12,
      startedAt: "2026-12-01T10:00:00.000Z",
      recordsPerSecond: 0.3,
      cancelRequested: false,
    });
    expect(status.etaSeconds).toBeCloseTo(1 / 0.3);
    expect(describeBulkStatus(status)).toEqual([
      "bulk tenant-2: running (fanning-out)",
      "  matched 4, soft-deleted 3, requested 3, done 2, failed 1, rows 12",
      "  rate 0.3 records/s, ETA 4 s",
      "  failed: c-3",
    ]);
  });

  it("running: following once the last page is out; a cancel request is reported", async () => {
    const cancel: StatusPromise = { id: `${ROOT}/cancel`, state: "resolved", value: { data: "" } };
    const source = memorySource([
      root("pending"),
      cancel,
      soft(2, 2, null),
      page(["c-1"], "c-1"),
      published(1, "c-1"),
      page([], "c-1", { restore: true }),
    ]);
    const status = await readBulkStatus("tenant-2", { source, ids });
    expect(status).toMatchObject({
      state: "running",
      phase: "following",
      requested: 1,
      cancelRequested: true,
    });
    expect(describeBulkStatus(status)[0]).toBe("bulk tenant-2: running (following, cancel requested)");
  });

  it("a bulk workflow rejected without an outcome is failed; an unreachable server is said so", async () => {
    const rejected = await readBulkStatus("tenant-2", { source: memorySource([root("rejected")]), ids });
    expect(rejected).toMatchObject({ state: "failed", error: "bulk workflow rejected" });
    const down: StatusSource = {
      where: "nowhere",
      get: async () => {
        throw new ResonateUnreachableError("the Resonate server at http://127.0.0.1:1 is unreachable");
      },
    };
    const status = await readBulkStatus("tenant-2", { source: down, ids });
    expect(status).toMatchObject({ state: "unreachable" });
    expect(describeBulkStatus(status)).toEqual([
      "bulk tenant-2: the Resonate server at http://127.0.0.1:1 is unreachable",
    ]);
  });
});

describe("bulkStatusAnswer (GET /status/bulk/<bulkId>)", () => {
  it("200 with the status, 404 unknown, 400 for an id no bulk could have, 503 unreachable", async () => {
    const source = memorySource([root("resolved", outcome)]);
    const found = await bulkStatusAnswer("tenant-2", { source, ids });
    expect(found.httpStatus).toBe(200);
    expect(found.body).toMatchObject({ state: "completed", matched: 4, done: 3, failedIds: ["c-4"] });
    expect((await bulkStatusAnswer("nope", { source, ids })).httpStatus).toBe(404);
    const bad = await bulkStatusAnswer("../x", { source, ids });
    expect(bad).toEqual({ httpStatus: 400, body: { error: '"../x" is not a bulk id' } });
    const down: StatusSource = {
      where: "nowhere",
      get: async () => {
        throw new ResonateUnreachableError("unreachable");
      },
    };
    expect((await bulkStatusAnswer("tenant-2", { source: down, ids })).httpStatus).toBe(503);
  });
});
