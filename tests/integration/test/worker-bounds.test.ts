import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import { createPipeline, produceInOrder, requestJson, startWorker } from "../fixtures/pipeline.js";
import { type LogLine, type RunningApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

/** Records whose rows never run out: every workflow keeps running until the test ends. */
const NEVER_FINISHING = {
  BATCH_SLEEP_MS: "1000",
  SIM_TRANSIENT_ERROR_RATE: "0",
  SIM_FINISH_RATE: "0",
  SHUTDOWN_TIMEOUT_MS: "6000",
};

const started = (worker: RunningApp) =>
  new Set(
    worker.logs
      .filter((l) => l.event === LOG_EVENTS.dispatched || l.event === LOG_EVENTS.duplicate)
      .map((l) => l.recordId),
  );

/** Waits for a log line; a failure says what was awaited. */
const awaitLog = (worker: RunningApp, what: string, predicate: (l: LogLine) => boolean, timeoutMs = 60_000) =>
  worker.waitForLog(predicate, timeoutMs).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}`);
  });

const assignedSome = (l: LogLine) =>
  l.event === LOG_EVENTS.assigned && Array.isArray(l.partitions) && l.partitions.length > 0;

describe.each(resonateModes)("worker bounds $label", ({ url, skip }) => {
  const test = it.skipIf(skip);

  test("--max-running holds under a backlog, and a worker joining meanwhile still gets partitions", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const env = { ...NEVER_FINISHING, MAX_RUNNING: "4" };
    const first = await startWorker(pipeline, env, { resonateUrl: url });
    await produceInOrder(
      brokers,
      pipeline.input,
      Array.from({ length: 40 }, (_, i) => {
        const id = pipeline.id(`backlog-${i}`);
        return { key: id, value: requestJson(id), partition: i % 2 };
      }),
    );
    await awaitLog(
      first,
      "first worker at its running bound",
      (l) => l.event === LOG_EVENTS.paused && l.bound === "running",
    );

    // The first worker is at its bound; the group must still rebalance when a second joins.
    const second = await startWorker(pipeline, env, { resonateUrl: url, waitForAssignment: false });
    await awaitLog(second, "second worker assigned partitions", assignedSome);
    await awaitLog(first, "first worker's partitions revoked", (l) => l.event === LOG_EVENTS.revoked);
    await awaitLog(
      second,
      "second worker at its running bound",
      (l) => l.event === LOG_EVENTS.paused && l.bound === "running",
    );
    await awaitLog(
      second,
      "second worker started a workflow",
      (l) => l.event === LOG_EVENTS.dispatched || l.event === LOG_EVENTS.duplicate,
    );
    await Promise.all([first.stop(), second.stop()]);

    // Nothing ever finishes: over its whole life, no worker had more than 4 workflows running.
    expect(started(first).size).toBeLessThanOrEqual(4);
    expect(started(second).size).toBeGreaterThan(0);
    expect(started(second).size).toBeLessThanOrEqual(4);
  });
});

describe("worker at --max-in-flight with nothing becoming safe (in-process Resonate)", () => {
  it("keeps polling: a worker joining meanwhile gets partitions", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const env = { ...NEVER_FINISHING, MAX_IN_FLIGHT: "4" };
    const first = await startWorker(pipeline, env);
    await produceInOrder(
      brokers,
      pipeline.input,
      Array.from({ length: 20 }, (_, i) => {
        const id = pipeline.id(`stuck-${i}`);
        return { key: id, value: requestJson(id), partition: i % 2 };
      }),
    );
    await awaitLog(first, "first worker at its in-flight bound", (l) => l.event === LOG_EVENTS.paused);

    const second = await startWorker(pipeline, env, { waitForAssignment: false });
    await awaitLog(second, "second worker assigned partitions", assignedSome);
    await awaitLog(first, "first worker's partitions revoked", (l) => l.event === LOG_EVENTS.revoked);
    expect(started(first).size).toBeLessThanOrEqual(4);
  });
});
