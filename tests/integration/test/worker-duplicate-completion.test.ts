import { LOG_EVENTS, MESSAGE_HEADERS } from "@deletion/contracts";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { scrapeResonateRequests, startResonateServer } from "@deletion/test-kit";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, NONE, total, useDemoDatabase } from "../fixtures/database.js";
import { SERVER_MARK } from "../fixtures/modes.js";
import { createPipeline, produceInOrder, requestJson, startWorker } from "../fixtures/pipeline.js";
import { readTopic } from "../support/index.js";

// This test freezes the server, so it gets one of its own (a binary it can signal).
async function ownServer(): Promise<{ server?: ResonateServer; unavailable: string }> {
  try {
    return { server: await startResonateServer({ controllable: true, kind: "binary" }), unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    return { unavailable: `skipped: no Resonate server binary this test can freeze: ${err.message}` };
  }
}
const { server, unavailable } = await ownServer();
afterAll(() => server?.dispose());

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

/** Requests of one kind the server has answered so far. */
async function answered(kind: string): Promise<number> {
  return (await scrapeResonateRequests(server?.metricsUrl as string)).get(kind) ?? 0;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a worker killed between publishing a completion and its checkpoint", () => {
  it.skipIf(!server)(
    `the survivor runs the last batch again and publishes the same completion, byte for byte, with exact row counts ${SERVER_MARK}${unavailable ? ` (${unavailable})` : ""}`,
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const id = pipeline.id("dup");
      // One customer of 5 rows (itself, one order, three lines): batches of 4 and 1.
      await db.seed({ records: 1, ids: [id], orders: { min: 1, max: 1 }, lines: { min: 3, max: 3 } });
      const rows = total(await db.counts(id));
      expect(rows).toBe(5);
      const env = {
        RECORD_STORE: "postgres",
        DATABASE_URL: db.url,
        DELETE_TABLES: db.tables,
        DELETE_BATCH_SIZE: "4",
        MAX_BATCH_SIZE: "4",
        // The pause runs inside the step, between its promise's creation and its checkpoint.
        BATCH_SLEEP_MS: "3000",
        // A short lease, so the survivor takes the record over soon after the kill.
        RESONATE_TTL_MS: "6000",
      };
      const first = await startWorker(
        pipeline,
        { ...env, RESONATE_PID: "dup-first" },
        { resonateUrl: server.url },
      );
      const fencesBefore = await answered("task.fence");
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);

      await first.waitForLog(
        (l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id && l.batch === 1,
      );
      // Batch 1 created and settled, batch 2 created: its step is now pausing on the worker.
      await until(async () => (await answered("task.fence")) - fencesBefore >= 3, "batch 2's step created");
      await server.pause();
      // The step deletes the last row and publishes; its checkpoint gets no answer.
      await first.waitForLog((l) => l.event === LOG_EVENTS.completed && l.recordId === id, 30_000);
      await first.stop("SIGKILL");
      await server.resume();

      const survivor = await startWorker(
        pipeline,
        { ...env, RESONATE_PID: "dup-survivor" },
        { resonateUrl: server.url, waitForAssignment: false },
      );
      await survivor.waitForLog((l) => l.event === LOG_EVENTS.completed && l.recordId === id, 90_000);
      const copies = await readTopic(brokers, pipeline.output, {
        until: (read) => read.filter((m) => m.key === id).length >= 2,
        timeoutMs: 60_000,
      });
      const published = copies.filter((m) => m.key === id);

      expect(published.map((m) => m.headers[MESSAGE_HEADERS.publishedBy])).toEqual([
        "dup-first",
        "dup-survivor",
      ]);
      const [copy, again] = published.map((m) => m.value?.toString("utf8"));
      expect(again).toBe(copy);
      expect(JSON.parse(String(copy))).toMatchObject({ recordId: id, batches: 2, rowsDeleted: rows });
      // The survivor ran batch 2 again and found it in the ledger: it deleted nothing more.
      const rerun = survivor.logs.find((l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id);
      expect(rerun).toMatchObject({ batch: 2, rowsDeleted: 1, rowsRemain: false });
      expect(await db.counts(id)).toEqual(NONE);
    },
  );
});
