import { LOG_EVENTS } from "@deletion/contracts";
import pg from "pg";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, useDemoDatabase } from "../fixtures/database.js";
import { needsServer, resonateModes, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { type RunningApp, readTopic, runApp } from "../support/index.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

/** The workers' /status answers only with this bearer token (STATUS_TOKEN). */
const STATUS_TOKEN = "status-test-token-0123456789abcdefghij";

async function statusOver(worker: RunningApp, recordId: string) {
  const response = await fetch(
    `http://127.0.0.1:${await httpPort(worker)}/status/${encodeURIComponent(recordId)}`,
    { headers: { authorization: `Bearer ${STATUS_TOKEN}` } },
  );
  return { code: response.status, body: (await response.json()) as Record<string, unknown> };
}

const statusCommand = (args: string[]) =>
  runApp("status", args, { RESONATE_URL: resonateServerUrl ?? "", DATABASE_URL: "" });

describe.each(resonateModes)("worker /status endpoint $label", ({ url, skip }) => {
  it.skipIf(skip)(
    "unknown for a record never requested, done with the request's position after",
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const id = pipeline.id("done");
      const worker = await startWorker(
        pipeline,
        { STATUS_TOKEN, BATCH_SLEEP_MS: "10", SIM_TRANSIENT_ERROR_RATE: "0", SIM_FIXED_BATCHES: `${id}=2` },
        { resonateUrl: url },
      );
      expect(await statusOver(worker, id)).toEqual({ code: 404, body: { state: "unknown", recordId: id } });
      expect((await statusOver(worker, "not a record id")).code).toBe(400);

      const [produced] = await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await readCompletions(pipeline, 1);
      const done = await statusOver(worker, id);
      expect(done).toMatchObject({
        code: 200,
        body: {
          state: "done",
          recordId: id,
          attempt: 1,
          batches: 2,
          source: { topic: pipeline.input, partition: produced?.partition, offset: produced?.offset },
        },
      });
    },
  );
});

describe("status command against the Resonate server", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "accepted (soft-deleted, first batch held by a lock), deleting, then done, with the rows left",
    ),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const prefix = `${pipeline.id("st")}-`;
      await db.seed({ records: 1, idPrefix: prefix, orders: { min: 4, max: 4 }, lines: { min: 5, max: 5 } });
      const id = `${prefix}1`;
      const dbArgs = ["--database-url", db.url, "--tables", db.tables];

      // A reader holding the record's order lines: the soft delete (customers) goes through, the
      // first batch (order_lines) waits for the lock.
      const locker = new pg.Client({ connectionString: db.url });
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM ${db.schema}.order_lines WHERE customer_id = $1 FOR UPDATE`, [id]);
      const worker = await startWorker(
        pipeline,
        {
          STATUS_TOKEN,
          RECORD_STORE: "postgres",
          DATABASE_URL: db.url,
          DELETE_TABLES: db.tables,
          DELETE_BATCH_SIZE: "5",
          MAX_BATCH_SIZE: "5",
          BATCH_SLEEP_MS: "1500",
        },
        { resonateUrl: resonateServerUrl },
      );
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await worker.waitForLog((l) => l.event === LOG_EVENTS.softDeleted && l.recordId === id);

      const accepted = await statusCommand([id, ...dbArgs]);
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(`${id}: accepted (soft-deleted; no batch deleted yet)`);
      expect(accepted.stdout).toMatch(
        /rows left: +.*order_lines:customer_id 20, .*orders:customer_id 4, .*customers:id 1/,
      );

      await locker.query("ROLLBACK");
      await locker.end();
      await worker.waitForLog(
        (l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id && l.batch === 2,
      );
      const deleting = await statusCommand([id, "--json", ...dbArgs]);
      const json = JSON.parse(deleting.stdout) as { state: string; batches: number; rowsDeleted: number };
      expect(json.state).toBe("deleting");
      expect(json.batches).toBeGreaterThanOrEqual(2);
      expect(json.rowsDeleted).toBe(json.batches * 5);

      await readCompletions(pipeline, 1);
      const done = await statusCommand([id, ...dbArgs]);
      expect(done.stdout).toMatch(new RegExp(`^${id}: done at \\S+ \\(5 batches, 25 rows\\)`));
      expect(done.stdout).toContain(`request ${pipeline.input} partition 0 offset 0`);
      expect(done.stdout).toMatch(
        /rows left: +.*order_lines:customer_id 0, .*orders:customer_id 0, .*customers:id 0/,
      );
    },
  );

  it.skipIf(!resonateServerUrl)(
    needsServer("failed: why and how to retry, and in the list of failed records"),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const id = pipeline.id("fails");
      const worker = await startWorker(
        pipeline,
        { STATUS_TOKEN, BATCH_SLEEP_MS: "10", SIM_FAIL_IDS: id },
        { resonateUrl: resonateServerUrl },
      );
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await readTopic(brokers, pipeline.deadLetters, { expected: 1, timeoutMs: 60_000 });

      const failed = await statusCommand([id]);
      expect(failed.code).toBe(0);
      expect(failed.stdout).toContain(`${id}: failed at `);
      expect(failed.stdout).toContain("simulated permanent failure of the first deletion attempt");
      expect(failed.stdout).toContain(
        "to retry: re-drive its dead letter (redrive --reason WORKFLOW_FAILED)",
      );
      expect((await statusOver(worker, id)).body).toMatchObject({ state: "failed", attempt: 1 });

      const listed = await statusCommand(["--list", "--state", "failed", "--json", "--limit", "1000"]);
      expect(listed.code).toBe(0);
      const ids = (JSON.parse(listed.stdout) as { recordId: string }[]).map((s) => s.recordId);
      expect(ids).toContain(id);
    },
  );

  it("says so when the Resonate server cannot be reached (exit 1), and refuses bad usage (exit 2)", async () => {
    const down = await runApp("status", ["r-1", "--resonate-url", "http://127.0.0.1:1"], {
      DATABASE_URL: "",
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain(
      "r-1: status unknown: the Resonate server at http://127.0.0.1:1 is unreachable",
    );
    expect((await runApp("status", [])).code).toBe(2);
    expect((await runApp("status", ["--list"])).code).toBe(2);
    expect((await runApp("status", ["--bogus"])).code).toBe(2);

    const bulkDown = await runApp("status", ["--bulk", "b-1", "--resonate-url", "http://127.0.0.1:1"], {
      DATABASE_URL: "",
    });
    expect(bulkDown.code).toBe(1);
    expect(bulkDown.stdout).toMatch(
      /^bulk b-1: the Resonate server at http:\/\/127\.0\.0\.1:1 is unreachable/,
    );
    const both = await runApp("status", ["--bulk", "b-1", "r-1"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give a record id, --list or --bulk, one of them");
    const bad = await runApp("status", ["--bulk", "../b"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--bulk");
  });
});
