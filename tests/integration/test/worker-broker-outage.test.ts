import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOG_EVENTS } from "@deletion/contracts";
import { freePort, type LocalKafka, startLocalKafka } from "@deletion/local-stack";
import { afterEach, describe, expect, it } from "vitest";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  requestJson,
  scrapeMetrics,
  startWorker,
} from "../fixtures/pipeline.js";
import { LEVEL, type LogLine, stopAllApps } from "../support/index.js";

let broker: LocalKafka | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await stopAllApps();
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  broker = undefined;
  dataDir = undefined;
});

const completedIds = (logs: readonly LogLine[]) =>
  new Set(logs.filter((l) => l.event === LOG_EVENTS.completed).map((l) => l.recordId));

// Two broker starts, a stop and a consumer group's recovery: on a loaded 2-core machine each
// takes tens of seconds, so the whole needs more than the suite's default budget. Each phase's
// time is printed so that a slow run says which phase was slow.
const OUTAGE_TEST_BUDGET_MS = 420_000;

describe("a broker outage", () => {
  it(
    "is two log lines however long it lasts, counted in /metrics, and the worker carries on after it",
    async () => {
      const startedAt = Date.now();
      const phase = (name: string) => console.log(`[broker-outage] ${name} at +${Date.now() - startedAt} ms`);
      dataDir = await mkdtemp(join(tmpdir(), "outage-broker-"));
      const port = await freePort();
      broker = await startLocalKafka({ port, dataDir });
      const brokers = broker.bootstrapServers;
      const pipeline = await createPipeline(brokers, 1);
      const worker = await startWorker(pipeline, { BATCH_SLEEP_MS: "10", SIM_TRANSIENT_ERROR_RATE: "0" });
      const before = ["a", "b", "c"].map((n) => pipeline.id(n));
      await produceInOrder(
        brokers,
        pipeline.input,
        before.map((id) => ({ key: id, value: requestJson(id) })),
      );
      await worker.waitForLog(() => before.every((id) => completedIds(worker.logs).has(id)), 120_000);
      const metricsPort = await httpPort(worker);
      phase("first records completed");

      // A start can have an outage of its own while the broker warms up: the one under test comes
      // after it has ended, or its first line would be folded into the warm-up's.
      const lines = (event: string) => worker.logs.filter((l) => l.event === event).length;
      const outageOpen = () => lines(LOG_EVENTS.brokersUnreachable) > lines(LOG_EVENTS.brokersReachable);
      if (outageOpen()) await worker.waitForLog(() => !outageOpen(), 60_000);
      const stoppedAt = worker.logs.length;
      await broker.stop();
      const down = await worker.waitForLog(
        (l) => l.event === LOG_EVENTS.brokersUnreachable && worker.logs.indexOf(l) >= stoppedAt,
        120_000,
      );
      // Down until the client has complained many times over: the flood that used to reach the log.
      const folded = async () => (await scrapeMetrics(metricsPort)).get("deletor_broker_errors_folded") ?? 0;
      phase("outage reported");
      for (let n = await folded(); n < 20; n = await folded()) await new Promise((r) => setTimeout(r, 200));
      phase("20 errors folded");
      broker = await startLocalKafka({ port, dataDir });
      phase("broker restarted");
      const up = await worker.waitForLog(
        (l) => l.event === LOG_EVENTS.brokersReachable && worker.logs.indexOf(l) > worker.logs.indexOf(down),
        120_000,
      );

      phase("recovery reported");
      const during = worker.logs.slice(worker.logs.indexOf(down), worker.logs.indexOf(up) + 1);
      const loud = during.filter((l) => (l.level as number) >= LEVEL.warn);
      console.log(
        `[broker-outage] ${during.length} lines during the outage, ${loud.length} at warn or above; folded: ${up.folded}; loud: ${JSON.stringify(loud.map((l) => l.msg))}`,
      );
      expect(loud.map((l) => l.event)).toEqual([LOG_EVENTS.brokersUnreachable]);
      expect(up.folded as number).toBeGreaterThanOrEqual(20);
      const metrics = await scrapeMetrics(metricsPort);
      expect(metrics.get("deletor_broker_outages")).toBeGreaterThanOrEqual(1);
      expect(metrics.get("deletor_brokers_down")).toBe(0);

      const after = ["d", "e"].map((n) => pipeline.id(n));
      await produceInOrder(
        brokers,
        pipeline.input,
        after.map((id) => ({ key: id, value: requestJson(id) })),
      );
      await worker.waitForLog(() => after.every((id) => completedIds(worker.logs).has(id)), 120_000);
      phase("records after the outage completed");
      expect(worker.child.exitCode).toBeNull();
    },
    OUTAGE_TEST_BUDGET_MS,
  );
});
