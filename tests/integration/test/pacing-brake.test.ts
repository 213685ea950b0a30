import { LOG_EVENTS } from "@deletion/contracts";
import { setBrake } from "@deletion/store-postgres";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, NONE, type RowCounts, useDemoDatabase } from "../fixtures/database.js";
import { pacingChanges, waitForHeldBatches, waitForMetric, waitForPacing } from "../fixtures/pacing.js";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

describe("pacing: the manual brake", () => {
  it("holds every batch of every record while the brake's row says paused, the worker staying ready, and resumes without a restart", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const prefix = `${pipeline.id("brake")}-`;
    await db.seed({ records: 4, idPrefix: prefix, orders: { min: 2, max: 2 }, lines: { min: 3, max: 3 } });
    const ids = Array.from({ length: 4 }, (_, i) => `${prefix}${i + 1}`);
    const before = new Map<string, RowCounts>();
    for (const id of ids) before.set(id, await db.counts(id));
    const control = `${db.schema}.deletion_pacing_control`;

    const worker = await startWorker(pipeline, {
      RECORD_STORE: "postgres",
      DATABASE_URL: db.url,
      DELETE_TABLES: db.tables,
      DELETE_BATCH_SIZE: "4",
      MAX_BATCH_SIZE: "4",
      PACING: "adaptive",
      PACING_SIGNAL_INTERVAL_MS: "100",
    });
    const port = await httpPort(worker);
    // The worker created the brake's table; one row pulls the brake for every worker.
    await setBrake(db.pool, control, true, "index rebuild");
    await waitForPacing(worker, "signal", "brake");

    await produceInOrder(
      brokers,
      pipeline.input,
      ids.map((id) => ({ key: id, value: requestJson(id) })),
    );
    // Every record's first batch waits its turn: nothing is soft-deleted or deleted meanwhile.
    await waitForHeldBatches(worker, port, ids.length);
    expect(await waitForMetric(port, "deletor_pacing_held", (n) => n >= 0)).toBe(1);
    for (const id of ids) {
      expect(await db.counts(id), id).toEqual(before.get(id));
      expect(await db.deletedAt(id), id).toBeNull();
    }
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.batchDeleted)).toEqual([]);
    // Pacing is not a fault: the worker stays ready while held.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    await db.pool.query(`UPDATE ${control} SET paused = false`);
    const completions = await readCompletionsOf(pipeline, ids);
    for (const id of ids) {
      expect(await db.counts(id), id).toEqual(NONE);
      expect(completions.find((c) => c.recordId === id)?.rowsDeleted, id).toBeGreaterThan(0);
    }
    const changes = pacingChanges(worker).map((l) => [l.cause, String(l.reason).split(":")[0]]);
    expect(changes.slice(0, 2)).toEqual([
      ["signal", "brake"],
      ["recovered", "brake"],
    ]);
    // No batch ran before the brake was released.
    const released = worker.logs.findIndex((l) => l.cause === "recovered");
    const firstBatch = worker.logs.findIndex((l) => l.event === LOG_EVENTS.batchDeleted);
    expect(firstBatch).toBeGreaterThan(released);
  });
});
