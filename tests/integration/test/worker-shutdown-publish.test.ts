import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import { createPipeline, readCompletionsOf, startWorker } from "../fixtures/pipeline.js";
import { type LogLine, runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

/** A publish that failed (and would be retried) or was refused: what shutdown must not cause. */
const publishFailure = (l: LogLine) =>
  (l.event === LOG_EVENTS.retrying && l.what === "publish") ||
  (l.event === LOG_EVENTS.retrying && l.what === "publish dead letter") ||
  l.event === LOG_EVENTS.publishRefused;

describe.each(resonateModes)("worker shutdown while workflows publish $label", ({ url, skip }) => {
  const test = it.skipIf(skip);

  test("SIGTERM with many records finishing: no publish fails, and every record completes (after a restart)", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const count = 800;
    const env = {
      MAX_IN_FLIGHT: String(count),
      MAX_RUNNING: String(count),
      BATCH_SLEEP_MS: "100",
      SIM_TRANSIENT_ERROR_RATE: "0",
      SIM_FINISH_RATE: "0.3",
      SHUTDOWN_TIMEOUT_MS: "3000",
      // With a server, the tasks of the stopped worker go to the next one after this long.
      RESONATE_TTL_MS: "8000",
    };
    const first = await startWorker(pipeline, env, { resonateUrl: url });
    const produced = await runApp(
      "producer",
      ["-n", String(count), "--topic", pipeline.input, "--id-prefix", pipeline.id("finishing")],
      { KAFKA_BROKERS: brokers },
    );
    expect(produced.code).toBe(0);
    await first.waitForLog(
      () => first.logs.filter((l) => l.event === LOG_EVENTS.completed).length >= 50,
      120_000,
    );

    expect(await first.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(first.logs.filter(publishFailure)).toEqual([]);
    const completedByFirst = first.logs.filter((l) => l.event === LOG_EVENTS.completed).length;
    expect(completedByFirst).toBeLessThan(count); // it stopped with records still running

    // The rest: redelivered (in-process) or resumed from the server by the next worker.
    const second = await startWorker(pipeline, env, { resonateUrl: url });
    const ids = Array.from(
      { length: count },
      (_, i) => `${pipeline.id("finishing")}-${String(i + 1).padStart(6, "0")}`,
    );
    const completions = await readCompletionsOf(pipeline, ids, 240_000);
    expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set(ids));
    expect(second.logs.filter(publishFailure)).toEqual([]);
  });
});
