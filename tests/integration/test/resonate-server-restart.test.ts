import { LOG_EVENTS } from "@deletion/contracts";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { startResonateServer } from "@deletion/test-kit";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { SERVER_MARK } from "../fixtures/modes.js";
import { createPipeline, readCompletionsOf, startWorker } from "../fixtures/pipeline.js";
import { readTopic, runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

// This test stops and starts a server, so it gets one of its own: the run's shared server
// may be external, and other suites must not see it go away.
async function ownServer(): Promise<{ server?: ResonateServer; unavailable: string }> {
  try {
    return { server: await startResonateServer({ controllable: true }), unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    return { unavailable: `skipped: no Resonate server this test can restart: ${err.message}` };
  }
}
const { server, unavailable } = await ownServer();
afterAll(() => server?.dispose());

describe("Resonate server killed and restarted mid-run", () => {
  it.skipIf(!server)(
    `workers carry on against the restarted server (same storage): every record completes once, no batch runs twice, none dead-lettered ${SERVER_MARK}${unavailable ? ` (${unavailable})` : ""}`,
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 3);
      // The pause sits inside each batch's step, so while the server is down many steps finish
      // their batch and meet a server that cannot take their checkpoint. The default task TTL
      // outlasts the outage: no worker dies, so nothing may run twice.
      const env = { BATCH_SLEEP_MS: "1000", SIM_SEED: "21" };
      const workers = [
        await startWorker(pipeline, { ...env, RESONATE_PID: "restart-a" }, { resonateUrl: server.url }),
        await startWorker(pipeline, { ...env, RESONATE_PID: "restart-b" }, { resonateUrl: server.url }),
      ];
      const count = 60;
      const prefix = pipeline.id("srv");
      const produced = await runApp(
        "producer",
        ["-n", String(count), "--topic", pipeline.input, "--id-prefix", prefix],
        {
          KAFKA_BROKERS: brokers,
        },
      );
      expect(produced.code).toBe(0);

      const completedSoFar = () =>
        workers.flatMap((w) => w.logs.filter((l) => l.event === LOG_EVENTS.completed)).length;
      await workers[0]?.waitForLog(() => completedSoFar() >= 10, 120_000);
      const completedBeforeKill = completedSoFar();
      await server.kill();
      // Down until every worker has met the outage: their batches go on finishing meanwhile, and
      // their checkpoints wait for the server.
      for (const w of workers) await w.waitForLog((l) => l.event === LOG_EVENTS.resonateUnreachable, 60_000);
      await server.start();

      const expected = Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(6, "0")}`);
      const completions = await readCompletionsOf(pipeline, expected);
      const ids = new Set(completions.map((c) => c.recordId));
      expect([...ids].sort()).toEqual(expected);
      const deadLetters = await readTopic(brokers, pipeline.deadLetters);
      expect(deadLetters).toHaveLength(0);
      for (const w of workers) expect(w.child.exitCode, "a worker exited").toBeNull();
      expect(completedBeforeKill).toBeLessThan(count);
      const runs = new Map<string, number>();
      for (const line of workers.flatMap((w) => w.logs)) {
        if (line.event !== LOG_EVENTS.batchDeleted) continue;
        const key = `${line.recordId}#${line.batch}`;
        runs.set(key, (runs.get(key) ?? 0) + 1);
      }
      const repeated = [...runs].filter(([, n]) => n > 1).map(([key]) => key);
      const outageLines = workers
        .flatMap((w) => w.logs)
        .filter((l) => l.event === LOG_EVENTS.resonateUnreachable);
      console.log(
        `[server-restart] ${completedBeforeKill} of ${count} completed before the kill; batches run: ${[...runs.values()].reduce((a, b) => a + b, 0)}; repeated: ${repeated.length}; completions published twice: ${completions.length - ids.size}; unreachable reports: ${outageLines.length}`,
      );
      expect(outageLines.length, "the workers met the outage").toBeGreaterThan(0);
      expect(repeated).toEqual([]);
      expect(completions).toHaveLength(count);
    },
  );
});
