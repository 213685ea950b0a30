import { createServer } from "node:net";
import { PromiseIds } from "@deletion/workflows";
import { describe, expect, it } from "vitest";
import { encode, ourPromise, outcomeOf, workflowInput } from "../../workflows/test/stored-promises.js";
import {
  describeStatus,
  httpStatusSource,
  listFailed,
  type PromiseSearch,
  type RecordView,
  readRecordStatus,
  type StatusPromise,
  type StatusSource,
} from "../src/index.js";

const ids = new PromiseIds();

/** Promises held in memory; search filters by tags and state as the server does. */
function memorySource(promises: StatusPromise[], searchable = true): StatusSource {
  const byId = new Map(promises.map((p) => [p.id, p]));
  const source: StatusSource = { where: "memory", get: async (id) => byId.get(id) };
  if (searchable) {
    source.search = async (query: PromiseSearch) => ({
      promises: promises.filter(
        (p) =>
          (!query.state || p.state.startsWith(query.state)) &&
          Object.entries(query.tags ?? {}).every(([k, v]) => p.tags?.[k] === v),
      ),
    });
  }
  return source;
}

const step = (origin: string, n: number, value: unknown): StatusPromise => ({
  id: `${origin}:${n}`,
  state: "resolved",
  value: { data: encode(value) },
  tags: { "resonate:origin": origin, "resonate:scope": "local" },
});

const root = (promise: StatusPromise, settledAt?: number): StatusPromise => ({
  ...promise,
  tags: { "resonate:origin": promise.id, "resonate:scope": "global" },
  ...(settledAt ? { settledAt } : {}),
});

const rows = (deletedAt: string | null, left: number): RecordView => ({
  deletedAt,
  parentPresent: left > 0,
  remaining: [
    { table: "orders:customer_id", rows: left },
    { table: "customers:id", rows: left > 0 ? 1 : 0 },
  ],
});

describe("readRecordStatus", () => {
  it("unknown: no promise for the record", async () => {
    const inspector = { inspect: async () => rows(null, 5) };
    const status = await readRecordStatus("r1", { ids, source: memorySource([]), inspector });
    expect(status).toEqual({ state: "unknown", recordId: "r1", store: rows(null, 5) });
    expect(describeStatus(status)[0]).toBe("r1: unknown (no deletion was ever requested)");
  });

  it("accepted: running, no batch yet; soft-deleted as the store tells", async () => {
    const id = "deletion/r2";
    const source = memorySource([root(ourPromise(id, workflowInput("r2", 1), "pending"))]);
    const status = await readRecordStatus("r2", { ids, source });
    expect(status).toMatchObject({ state: "accepted", attempt: 1, promiseId: id, softDeleted: false });
    const inspector = { inspect: async () => rows("2026-11-28T10:00:00.000Z", 5) };
    const flagged = await readRecordStatus("r2", { ids, source, inspector });
    expect(flagged).toMatchObject({ state: "accepted", softDeleted: true });
  });

  it("deleting: the batches checkpointed so far and their rows", async () => {
    const id = "deletion/r3";
    const source = memorySource([
      root(ourPromise(id, workflowInput("r3", 1), "pending")),
      step(id, 1, { rowsDeleted: 500, rowsRemain: true, attempt: 1 }),
      step(id, 2, { rowsDeleted: 500, rowsRemain: true, attempt: 2 }),
      step("deletion/other", 1, { rowsDeleted: 7, rowsRemain: true, attempt: 1 }),
    ]);
    const status = await readRecordStatus("r3", { ids, source });
    expect(status).toMatchObject({ state: "deleting", batches: 2, rowsDeleted: 1000, softDeleted: true });
    expect(describeStatus(status)[0]).toBe("r3: deleting (2 batches done, 1000 rows deleted so far)");
  });

  it("done: when, and the request's partition and offset", async () => {
    const id = "deletion/r4";
    const settledAt = Date.parse("2026-11-28T10:00:00.000Z");
    const source = memorySource([
      root(ourPromise(id, workflowInput("r4", 1, "42"), "resolved", outcomeOf("r4", 1)), settledAt),
    ]);
    const status = await readRecordStatus("r4", { ids, source });
    expect(status).toEqual({
      state: "done",
      recordId: "r4",
      attempt: 1,
      promiseId: id,
      completedAt: "2026-11-28T10:00:00.000Z",
      batches: 1,
      rowsDeleted: 10,
      source: { topic: "requests", partition: 0, offset: "42" },
    });
    expect(describeStatus(status)).toEqual([
      "r4: done at 2026-11-28T10:00:00.000Z (1 batches, 10 rows)",
      "  request requests partition 0 offset 42; attempt 1, promise deletion/r4",
    ]);
  });

  it("failed: why, and how to retry; a later attempt is the one reported", async () => {
    const failedOnce = memorySource([
      root(ourPromise("deletion/r5", workflowInput("r5", 1), "resolved", outcomeOf("r5", 1, "failed"))),
    ]);
    const status = await readRecordStatus("r5", { ids, source: failedOnce });
    expect(status).toMatchObject({ state: "failed", attempt: 1, reason: "permanent" });
    expect(describeStatus(status).join("\n")).toContain("redrive --reason WORKFLOW_FAILED");

    const retried = memorySource([
      root(ourPromise("deletion/r5", workflowInput("r5", 1), "resolved", outcomeOf("r5", 1, "failed"))),
      root(ourPromise("deletion/r5/attempt-2", workflowInput("r5", 2), "resolved", outcomeOf("r5", 2))),
    ]);
    expect(await readRecordStatus("r5", { ids, source: retried })).toMatchObject({
      state: "done",
      attempt: 2,
    });
  });

  it("says when the Resonate server is unreachable", async () => {
    const port = await closedPort();
    const source = httpStatusSource(`http://127.0.0.1:${port}`, { timeoutMs: 1_000 });
    const status = await readRecordStatus("r6", { ids, source });
    expect(status).toMatchObject({ state: "unreachable", recordId: "r6" });
    expect(describeStatus(status)[0]).toMatch(
      /^r6: status unknown: the Resonate server at http:\/\/127.0.0.1:\d+ is unreachable \(ECONNREFUSED\)/,
    );
  });
});

describe("listFailed", () => {
  it("lists records whose latest attempt failed, not those retried since", async () => {
    const source = memorySource([
      root(ourPromise("deletion/a", workflowInput("a", 1), "resolved", outcomeOf("a", 1, "failed"))),
      root(ourPromise("deletion/b", workflowInput("b", 1), "resolved", outcomeOf("b", 1, "failed"))),
      root(ourPromise("deletion/b/attempt-2", workflowInput("b", 2), "resolved", outcomeOf("b", 2))),
      root(ourPromise("deletion/c", workflowInput("c", 1), "resolved", outcomeOf("c", 1))),
    ]);
    const listed = await listFailed({ ids, source, limit: 10 });
    expect(listed.ok && listed.failed.map((s) => s.recordId)).toEqual(["a"]);
  });

  it("needs a server that can search", async () => {
    expect(await listFailed({ ids, source: memorySource([], false), limit: 10 })).toMatchObject({
      ok: false,
    });
  });
});

/** A port nothing listens on: one the OS just handed out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
