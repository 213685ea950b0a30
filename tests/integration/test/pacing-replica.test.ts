import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, NONE, type RowCounts, useDemoDatabase } from "../fixtures/database.js";
import { pacingChanges, waitForHeldBatches, waitForPacing } from "../fixtures/pacing.js";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import {
  type ReplicaStart,
  type StreamingReplica,
  startStreamingReplica,
} from "../fixtures/streaming-replica.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

let started: ReplicaStart;
beforeAll(async () => {
  started = await startStreamingReplica(inject("databaseUrl"));
  if (!started.ok)
    console.warn(
      `pacing-replica: no streaming replica can run here (${started.reason}); the hold and resume path is covered by pacing-brake.test.ts`,
    );
  return async () => {
    if (started.ok) await started.replica.stop();
  };
});

let replica: StreamingReplica | undefined;
afterEach(async () => {
  await replica?.resumeReplay().catch(() => {});
});

describe("pacing: replica lag", () => {
  it("a real streaming replica: batches hold while its replay lag is over the bound and resume when it catches up", async (ctx) => {
    if (!started.ok) ctx.skip();
    if (!started.ok) return;
    replica = started.replica;
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const prefix = `${pipeline.id("lag")}-`;
    await db.seed({ records: 3, idPrefix: prefix, orders: { min: 2, max: 2 }, lines: { min: 3, max: 3 } });
    const ids = Array.from({ length: 3 }, (_, i) => `${prefix}${i + 1}`);
    const before = new Map<string, RowCounts>();
    for (const id of ids) before.set(id, await db.counts(id));

    const worker = await startWorker(pipeline, {
      RECORD_STORE: "postgres",
      DATABASE_URL: db.url,
      DELETE_TABLES: db.tables,
      DELETE_BATCH_SIZE: "4",
      MAX_BATCH_SIZE: "4",
      PACING: "adaptive",
      REPLICA_LAG: "replica",
      REPLICA_DATABASE_URL: replica.url,
      MAX_REPLICA_LAG_MS: "300",
      PACING_SIGNAL_INTERVAL_MS: "100",
    });
    const port = await httpPort(worker);

    // The standby keeps receiving WAL but stops replaying it; writes on the primary make it lag.
    await replica.pauseReplay();
    await db.pool.query("CREATE TABLE wal_filler (n int)");
    const held = worker.waitForLog((l) => l.event === "pacing_changed" && l.cause === "signal");
    for (let i = 0; !(await settledOrWrote(held, db, i)); i++);
    const hold = await held;
    expect(String(hold.reason)).toMatch(
      /^replica_lag: replay lag \d+ ms over 300 ms \(read on the replica\)$/,
    );

    await produceInOrder(
      brokers,
      pipeline.input,
      ids.map((id) => ({ key: id, value: requestJson(id) })),
    );
    await waitForHeldBatches(worker, port, ids.length);
    for (const id of ids) expect(await db.counts(id), id).toEqual(before.get(id));
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.batchDeleted)).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    await replica.resumeReplay();
    await waitForPacing(worker, "recovered", "replica_lag");
    await readCompletionsOf(pipeline, ids);
    for (const id of ids) expect(await db.counts(id), id).toEqual(NONE);
    const released = worker.logs.findIndex((l) => l.event === "pacing_changed" && l.cause === "recovered");
    const firstBatch = worker.logs.findIndex((l) => l.event === LOG_EVENTS.batchDeleted);
    expect(firstBatch).toBeGreaterThan(released);
    expect(pacingChanges(worker).filter((l) => l.cause === "signal").length).toBeGreaterThanOrEqual(1);
  });
});

/** One small write on the primary, unless the hold was already seen: true once it was. */
async function settledOrWrote(held: Promise<unknown>, db: DemoDatabase, i: number): Promise<boolean> {
  const seen = await Promise.race([
    held.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 50)),
  ]);
  if (seen) return true;
  await db.pool.query("INSERT INTO wal_filler VALUES ($1)", [i]);
  return false;
}
