import { afterEach, describe, expect, inject, it } from "vitest";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

describe("worker backpressure", () => {
  it("pauses at --max-in-flight unfinished records, resumes, and still completes everything", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(pipeline, {
      MAX_IN_FLIGHT: "5",
      BATCH_SLEEP_MS: "1000",
      SIM_TRANSIENT_ERROR_RATE: "0",
      SIM_FINISH_RATE: "0.5",
      SIM_SEED: "2",
    });
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
      if (line.event === "dispatched") most = Math.max(most, ++running);
      if (line.event === "completed") running--;
    }
    expect(most).toBeLessThanOrEqual(5);
    expect(worker.logs.filter((l) => l.event === "paused").length).toBeGreaterThan(0);
    expect(worker.logs.filter((l) => l.event === "resumed").length).toBeGreaterThan(0);
  });

  it("reaching the bound often, across partitions, skips no message and commits only what was read", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 3);
    const worker = await startWorker(pipeline, {
      MAX_IN_FLIGHT: "20",
      BATCH_SLEEP_MS: "0",
      SIM_TRANSIENT_ERROR_RATE: "0",
      SIM_FINISH_RATE: "1",
    });
    const produced = await runApp(
      "producer",
      ["-n", "1500", "--topic", pipeline.input, "--id-prefix", pipeline.id("bulk")],
      {
        KAFKA_BROKERS: brokers,
      },
    );
    expect(produced.code).toBe(0);

    const completions = await readCompletions(pipeline, 1500);
    expect(new Set(completions.map((c) => c.recordId)).size).toBe(1500);
    const dispatched = worker.logs.filter((l) => l.event === "dispatched");
    expect(dispatched).toHaveLength(1500);
    expect(worker.logs.filter((l) => l.event === "paused").length).toBeGreaterThan(10);
  });
});
