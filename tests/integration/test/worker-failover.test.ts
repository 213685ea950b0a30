import { afterEach, describe, expect, inject, it } from "vitest";
import { NO_SERVER_REASON } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  resonateServerUrl,
  startWorker,
} from "../fixtures/pipeline.js";
import { type RunningApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

const batchesDeletedBy = (worker: RunningApp, recordId: string) =>
  worker.logs
    .filter((l) => l.event === "batch_deleted" && l.recordId === recordId)
    .map((l) => Number(l.batch));

describe("failover between two workers sharing a Resonate server", () => {
  it.skipIf(!resonateServerUrl)(
    `kill -9 of the worker running a long workflow: the other finishes it without re-running completed batches${resonateServerUrl ? "" : ` (${NO_SERVER_REASON})`}`,
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const longId = pipeline.id("long");
      const env = {
        RESONATE_TTL_MS: "5000",
        BATCH_SLEEP_MS: "1000",
        SIM_TRANSIENT_ERROR_RATE: "0",
        SIM_FIXED_BATCHES: `${longId}=10`,
      };
      const workers = [
        await startWorker(pipeline, env, { resonateUrl: resonateServerUrl }),
        await startWorker(pipeline, env, { resonateUrl: resonateServerUrl }),
      ];
      await produceInOrder(brokers, pipeline.input, [{ key: longId, value: requestJson(longId) }]);

      const victim = await Promise.race(
        workers.map((w) =>
          w
            .waitForLog((l) => l.event === "batch_deleted" && l.recordId === longId && l.batch === 3)
            .then(() => w),
        ),
      );
      await victim.stop("SIGKILL");
      const doneByVictim = batchesDeletedBy(victim, longId);
      const survivor = workers.find((w) => w !== victim) as RunningApp;

      const [completion] = await readCompletions(pipeline, 1, 180_000);
      expect(completion).toMatchObject({ recordId: longId, batches: 10 });
      const doneBySurvivor = batchesDeletedBy(survivor, longId);
      expect(doneBySurvivor.length).toBeGreaterThan(0);
      for (const batch of doneByVictim)
        expect(doneBySurvivor, `batch ${batch} ran again`).not.toContain(batch);
      expect(new Set([...doneByVictim, ...doneBySurvivor])).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    },
  );
});
