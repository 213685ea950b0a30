import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { type RunningApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

const batchesDeletedBy = (worker: RunningApp, recordId: string) =>
  worker.logs
    .filter((l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === recordId)
    .map((l) => Number(l.batch));

describe("failover between two workers sharing a Resonate server", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "kill -9 of the worker running a long workflow: the other finishes it; only the batch in flight at the kill may run again",
    ),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const longId = pipeline.id("long");
      const env = {
        // Short so the survivor takes the task over soon after the kill; the chaos test runs
        // with the default.
        RESONATE_TTL_MS: "5000",
        BATCH_SLEEP_MS: "1000",
        SIM_TRANSIENT_ERROR_RATE: "0",
        SIM_FIXED_BATCHES: `${longId}=10`,
      };
      const workers = [
        await startWorker(
          pipeline,
          { ...env, RESONATE_PID: "failover-a" },
          { resonateUrl: resonateServerUrl },
        ),
        await startWorker(
          pipeline,
          { ...env, RESONATE_PID: "failover-b" },
          { resonateUrl: resonateServerUrl },
        ),
      ];
      await produceInOrder(brokers, pipeline.input, [{ key: longId, value: requestJson(longId) }]);

      const victim = await Promise.race(
        workers.map((w) =>
          w
            .waitForLog((l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === longId && l.batch === 3)
            .then(() => w),
        ),
      );
      await victim.stop("SIGKILL");
      const doneByVictim = batchesDeletedBy(victim, longId);
      const survivor = workers.find((w) => w !== victim) as RunningApp;

      const completions = await readCompletions(pipeline, 1, 180_000);
      expect(completions).toHaveLength(1);
      expect(completions[0]).toMatchObject({ recordId: longId, batches: 10 });
      const doneBySurvivor = batchesDeletedBy(survivor, longId);

      // The victim ran batches 1..k in order; it started batch k only after batch k-1's result
      // was checkpointed, so 1..k-1 are durable. Batch k may have run without its checkpoint
      // (the at-least-once window of a step): that one, and only that one, may run again.
      const lastOfVictim = Math.max(...doneByVictim);
      expect(doneByVictim).toEqual(Array.from({ length: lastOfVictim }, (_, i) => i + 1));
      const checkpointedByVictim = doneByVictim.filter((b) => b < lastOfVictim);
      expect(checkpointedByVictim.length).toBeGreaterThanOrEqual(2);
      for (const batch of checkpointedByVictim)
        expect(doneBySurvivor, `checkpointed batch ${batch} ran again`).not.toContain(batch);
      expect(doneBySurvivor.filter((b) => doneByVictim.includes(b))).toEqual(
        doneBySurvivor.includes(lastOfVictim) ? [lastOfVictim] : [],
      );
      // Between them every batch ran, and the survivor ran each of its batches once.
      expect(new Set([...doneByVictim, ...doneBySurvivor])).toEqual(
        new Set(Array.from({ length: 10 }, (_, i) => i + 1)),
      );
      expect(new Set(doneBySurvivor).size).toBe(doneBySurvivor.length);
      console.log(
        `[failover] victim ran batches ${doneByVictim.join(",")}; survivor ran ${doneBySurvivor.join(",")}`,
      );
    },
  );
});
