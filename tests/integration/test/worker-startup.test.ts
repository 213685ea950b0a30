import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createPipeline, httpPort } from "../fixtures/pipeline.js";
import { startLimitedProxy } from "../fixtures/tcp-proxy.js";
import { logLines, runApp, startApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

const CONNECT_TIMEOUT_MS = 3_000;

describe("worker start-up that fails", () => {
  it("exits 1 within the connect bound when the broker cannot be reached, naming it", async () => {
    const unreachable = "127.0.0.1:9";
    const run = await runApp(
      "deletor-worker",
      [],
      {
        KAFKA_BROKERS: unreachable,
        CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        HTTP_PORT: "0",
        RESONATE_URL: "",
      },
      { timeoutMs: 25_000 },
    );
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    const failed = logLines(run.stdout).find((l) => l.event === LOG_EVENTS.startFailed);
    expect(failed).toMatchObject({ brokers: unreachable });
    expect(String(failed?.msg)).toContain(unreachable);
  });

  it("exits 1 when the consumer cannot start after the HTTP server is up, and stops answering", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    // The worker's first two clients (its broker check and its producer) get through; the next
    // ones (the check before the consumer, the consumer) do not, as if the broker went away.
    const proxy = await startLimitedProxy(brokers.split(",")[0] ?? brokers, 2);
    try {
      const worker = startApp("deletor-worker", [], {
        KAFKA_BROKERS: proxy.address,
        INPUT_TOPIC: pipeline.input,
        OUTPUT_TOPIC: pipeline.output,
        DEAD_LETTER_TOPIC: pipeline.deadLetters,
        KAFKA_GROUP_ID: pipeline.groupId,
        RESONATE_URL: "",
        HTTP_PORT: "0",
        CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      });
      const port = await httpPort(worker);
      const exit = await Promise.race([
        worker.exited,
        new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 25_000)),
      ]);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(worker.logs.find((l) => l.event === LOG_EVENTS.startFailed)).toMatchObject({
        brokers: proxy.address,
      });
      expect(proxy.refused).toBeGreaterThan(0);
      const healthz = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (res) => res.status,
        () => "no answer",
      );
      expect(healthz).toBe("no answer");
    } finally {
      await proxy.close();
    }
  });
});
