import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

describe("a live worker keeps the tasks it starts", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer("a record whose first segment runs past the task TTL repeats no batch"),
    async () => {
      const pipeline = await createPipeline(inject("kafkaBrokers"), 1);
      const id = pipeline.id("long");
      // 10 batches a second apart in one segment (the throttle pause never suspends): over twice
      // the 4 s TTL. Without heartbeats the server hands the task on after 4 s, and the batch under
      // way runs again on whoever takes it.
      const worker = await startWorker(
        pipeline,
        {
          RESONATE_TTL_MS: "4000",
          BATCH_SLEEP_MS: "1000",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: `${id}=10`,
        },
        { resonateUrl: resonateServerUrl },
      );
      await produceInOrder(pipeline.brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      const [completion] = await readCompletionsOf(pipeline, [id], 60_000);
      expect(completion?.batches).toBe(10);
      const batches = worker.logs
        .filter((l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id)
        .map((l) => Number(l.batch));
      expect(batches).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    },
  );
});
