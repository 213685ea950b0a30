import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { type HealthSignal, PacingController, SignalPoller, type SignalState } from "../src/index.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const pacer = () =>
  new PacingController({
    mode: "adaptive",
    batchSize: { targetBatchMs: 250, minBatchSize: 1, maxBatchSize: 10, initialBatchSize: 5 },
    maxConcurrentBatches: 1,
  });

it("reads every signal on the interval and keeps a failing signal's last state, reporting it once", async () => {
  const readings: Array<SignalState | Error> = [
    { level: "hold", reason: "lag 2000 ms" },
    new Error("replica unreachable"),
    new Error("replica unreachable"),
    { level: "ok" },
  ];
  const lag: HealthSignal = {
    name: "replica_lag",
    check: async () => {
      const next = readings.shift() ?? { level: "ok" };
      if (next instanceof Error) throw next;
      return next;
    },
  };
  const controller = pacer();
  const failed: string[] = [];
  const recovered: string[] = [];
  const poller = new SignalPoller(controller, [lag], {
    intervalMs: 1_000,
    onReadFailed: (name) => failed.push(name),
    onReadRecovered: (name) => recovered.push(name),
  });
  await poller.start();
  expect(controller.state().holds).toEqual(["replica_lag: lag 2000 ms"]);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(controller.state().holds).toHaveLength(1);
  expect(failed).toEqual(["replica_lag"]);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(controller.state().holds).toEqual([]);
  expect(recovered).toEqual(["replica_lag"]);
  poller.stop();
});
