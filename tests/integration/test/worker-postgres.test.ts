import { LOG_EVENTS } from "@deletion/contracts";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, NONE, type RowCounts, total, useDemoDatabase } from "../fixtures/database.js";
import { needsServer, resonateModes, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { LEVEL, type RunningApp, runApp } from "../support/index.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

const storeEnv = (batchSize: number) => ({
  RECORD_STORE: "postgres",
  DATABASE_URL: db.url,
  DELETE_TABLES: db.tables,
  DELETE_BATCH_SIZE: String(batchSize),
  // Batches of exactly this size: adaptive pacing would otherwise let them grow.
  MAX_BATCH_SIZE: String(batchSize),
});

const errorsOf = (app: RunningApp) => app.logs.filter((l) => (l.level as number) >= LEVEL.error);

describe.each(resonateModes)("postgres store $label", ({ url, skip }) => {
  it.skipIf(skip)(
    "deletes the requested customers' rows in bounded batches, soft delete first, nobody else's; duplicates and late requests delete nothing more",
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const prefix = `${pipeline.id("c")}-`;
      await db.seed({ records: 8, idPrefix: prefix, orders: { min: 2, max: 3 }, lines: { min: 3, max: 5 } });
      const ids = Array.from({ length: 8 }, (_, i) => `${prefix}${i + 1}`);
      const requested = ids.slice(0, 5);
      const before = new Map<string, RowCounts>();
      for (const id of ids) before.set(id, await db.counts(id));

      const worker = await startWorker(
        pipeline,
        { ...storeEnv(4), BATCH_SLEEP_MS: "10" },
        { resonateUrl: url },
      );
      // The first record is requested twice at once: the second attaches to the first's workflow.
      const twice = requested[0] as string;
      await produceInOrder(brokers, pipeline.input, [
        ...requested.map((id) => ({ key: id, value: requestJson(id) })),
        { key: twice, value: requestJson(twice) },
      ]);
      const completions = await readCompletionsOf(pipeline, requested);
      expect(completions.filter((c) => c.recordId === twice)).toHaveLength(1);

      for (const id of requested) {
        expect(await db.counts(id), id).toEqual(NONE);
        const completion = completions.find((c) => c.recordId === id);
        expect(completion?.rowsDeleted, id).toBe(total(before.get(id) as RowCounts));
        const events = worker.logs.filter((l) => l.recordId === id).map((l) => l.event);
        expect(events.indexOf("soft_deleted"), id).toBeGreaterThanOrEqual(0);
        expect(events.indexOf("soft_deleted"), id).toBeLessThan(events.indexOf("batch_deleted"));
      }
      for (const line of worker.logs.filter((l) => l.event === LOG_EVENTS.batchDeleted)) {
        expect(line.rowsDeleted as number).toBeLessThanOrEqual(4);
      }
      for (const id of ids.slice(5)) expect(await db.counts(id), id).toEqual(before.get(id));

      // A request after completion deletes nothing more: it is reported as done.
      const duplicates = () =>
        worker.logs.filter((l) => l.event === LOG_EVENTS.duplicate && l.recordId === twice);
      const seen = duplicates().length;
      await produceInOrder(brokers, pipeline.input, [{ key: twice, value: requestJson(twice) }]);
      await worker.waitForLog(() => duplicates().length > seen);
      expect(duplicates().at(-1)).toMatchObject({ state: "finished", status: "completed" });
      for (const id of ids.slice(5)) expect(await db.counts(id), id).toEqual(before.get(id));
      expect(
        worker.logs.filter((l) => l.event === LOG_EVENTS.softDeleted && l.recordId === twice),
      ).toHaveLength(1);
      expect(errorsOf(worker)).toEqual([]);
    },
  );
});

describe("postgres store, a worker killed between batches", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer("the replacement resumes the record: no rows left, no errors, no checkpointed batch again"),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const prefix = `${pipeline.id("kill")}-`;
      await db.seed({ records: 2, idPrefix: prefix, orders: { min: 6, max: 6 }, lines: { min: 5, max: 5 } });
      const id = `${prefix}1`;
      const bystander = `${prefix}2`;
      const before = await db.counts(id);
      const bystanderBefore = await db.counts(bystander);
      // 1 + 6 + 30 rows in batches of 3: 13 batches.
      expect(total(before)).toBe(37);
      const env = { ...storeEnv(3), BATCH_SLEEP_MS: "300", RESONATE_TTL_MS: "5000" };

      const first = await startWorker(
        pipeline,
        { ...env, RESONATE_PID: "pg-a" },
        { resonateUrl: resonateServerUrl },
      );
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await first.waitForLog(
        (l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id && l.batch === 3,
      );
      await first.stop("SIGKILL");
      const midway = await db.counts(id);
      expect(total(midway)).toBeGreaterThan(0);
      expect(total(midway)).toBeLessThan(37);
      // Soft-deleted at once: the flag is there while rows remain.
      expect(await db.deletedAt(id)).toBeInstanceOf(Date);

      const second = await startWorker(
        pipeline,
        { ...env, RESONATE_PID: "pg-b" },
        { resonateUrl: resonateServerUrl },
      );
      const completions = await readCompletions(pipeline, 1, 180_000);
      expect(completions[0]).toMatchObject({ recordId: id });
      expect(await db.counts(id)).toEqual(NONE);
      expect(await db.counts(bystander)).toEqual(bystanderBefore);

      const firstBatches = first.logs
        .filter((l) => l.event === LOG_EVENTS.batchDeleted)
        .map((l) => l.batch as number);
      const secondBatches = second.logs
        .filter((l) => l.event === LOG_EVENTS.batchDeleted)
        .map((l) => l.batch as number);
      const lastOfFirst = Math.max(...firstBatches);
      for (const batch of secondBatches) expect(batch).toBeGreaterThanOrEqual(lastOfFirst);
      // The soft delete was checkpointed before the kill: the replacement does not run it again.
      expect(second.logs.filter((l) => l.event === LOG_EVENTS.softDeleted)).toEqual([]);
      expect(errorsOf(second)).toEqual([]);
      // Rows the killed worker's unfinished batch deleted are not in the total; no row is counted twice.
      expect(completions[0]?.rowsDeleted).toBeLessThanOrEqual(37);
      expect(completions[0]?.rowsDeleted).toBeGreaterThanOrEqual(37 - 3);
    },
  );
});

describe("postgres store configuration", () => {
  it.each([
    ["a missing table", (t: string) => t.replace(".orders:", ".invoices:"), "invoices"],
    [
      "a missing column",
      (t: string) => t.replace(".orders:customer_id", ".orders:client_id"),
      "orders:client_id",
    ],
  ])("%s: the worker exits 2 naming it, before reading any message", async (_, change, named) => {
    await db.seed({ records: 1 });
    const run = await runApp("deletor-worker", [], {
      ...storeEnv(10),
      DELETE_TABLES: change(db.tables),
      KAFKA_BROKERS: "127.0.0.1:9",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });

  it("--store postgres without a database URL exits 2 saying so", async () => {
    const run = await runApp("deletor-worker", ["--store", "postgres"], { DATABASE_URL: "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("DATABASE_URL");
  });
});
