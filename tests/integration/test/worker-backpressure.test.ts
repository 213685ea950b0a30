import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { runApp, stopAllApps, withAdmin } from "../support/index.js";

afterEach(stopAllApps);

/**
 * The bound that holds back running work in each mode: in-process a record stays in flight
 * until its workflow finished; with a server it is safe at once, and --max-running bounds it.
 */
const boundOf = (mode: "in-process" | "server", bound: number) =>
  mode === "server" ? { MAX_RUNNING: String(bound) } : { MAX_IN_FLIGHT: String(bound) };

describe.each(resonateModes)("worker backpressure $label", ({ name, url, skip }) => {
  const test = it.skipIf(skip);

  test("holds partitions at the bound, reads again below it, and still completes everything", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(
      pipeline,
      {
        ...boundOf(name, 5),
        BATCH_SLEEP_MS: "1000",
        SIM_TRANSIENT_ERROR_RATE: "0",
        SIM_FINISH_RATE: "0.5",
        SIM_SEED: "2",
      },
      { resonateUrl: url },
    );
    const ids = Array.from({ length: 20 }, (_, i) => pipeline.id(`bp-${i}`));
    await produceInOrder(
      brokers,
      pipeline.input,
      ids.map((id) => ({ key: id, value: requestJson(id) })),
    );

    const completions = await readCompletions(pipeline, ids.length);
    expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set(ids));

    // Replay the worker's log: records started but not finished never exceeded the bound.
    let running = 0;
    let most = 0;
    for (const line of worker.logs) {
      if (line.event === LOG_EVENTS.dispatched) most = Math.max(most, ++running);
      if (line.event === LOG_EVENTS.completed) running--;
    }
    expect(most).toBeLessThanOrEqual(5);
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.paused).length).toBeGreaterThan(0);
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.resumed).length).toBeGreaterThan(0);
  });

  test("reaching the bound often, across partitions, skips no message and commits only what was read", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 3);
    const count = name === "server" ? 600 : 1500;
    const worker = await startWorker(
      pipeline,
      {
        ...boundOf(name, 20),
        BATCH_SLEEP_MS: "0",
        SIM_TRANSIENT_ERROR_RATE: "0",
        SIM_FINISH_RATE: "1",
      },
      { resonateUrl: url },
    );
    const produced = await runApp(
      "producer",
      ["-n", String(count), "--topic", pipeline.input, "--id-prefix", pipeline.id("bulk")],
      {
        KAFKA_BROKERS: brokers,
      },
    );
    expect(produced.code).toBe(0);

    const completions = await readCompletions(pipeline, count, 240_000);
    expect(new Set(completions.map((c) => c.recordId)).size).toBe(count);
    const dispatched = worker.logs.filter((l) => l.event === LOG_EVENTS.dispatched);
    expect(dispatched).toHaveLength(count);
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.paused).length).toBeGreaterThan(10);

    // Every partition's commit point reaches its end: nothing was committed past an unread message.
    const committedTotal = () =>
      withAdmin(brokers, (admin) =>
        admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
      ).then((topics) =>
        (topics[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0),
      );
    let committed = await committedTotal();
    for (let i = 0; i < 50 && committed < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      committed = await committedTotal();
    }
    expect(committed).toBe(count);
  });
});
