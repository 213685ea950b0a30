import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runShutdownSteps, workerShutdownSteps } from "../src/shutdown-steps.js";

describe("worker shutdown order", () => {
  it("stops the consumer, then Resonate, then publishing, and only then the producer", async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(name);
    };
    const steps = workerShutdownSteps(
      {
        worker: { stop: step("consumer stopped") },
        resonate: { stop: step("resonate stopped") },
        publishes: { close: step("publishing closed") },
        producer: { flush: step("producer flushed"), disconnect: step("producer disconnected") },
      },
      10_000,
    );
    expect(await runShutdownSteps(steps, 10_000)).toEqual({
      consumer: "done",
      resonate: "done",
      publishes: "done",
      producer: "done",
    });
    expect(order).toEqual([
      "consumer stopped",
      "resonate stopped",
      "publishing closed",
      "producer flushed",
      "producer disconnected",
    ]);
  });

  it("gives the consumer at most half the time", async () => {
    let given = -1;
    const steps = workerShutdownSteps(
      {
        worker: {
          stop: async (ms) => {
            given = ms;
          },
        },
        resonate: { stop: async () => {} },
        publishes: { close: async () => {} },
        producer: { flush: async () => {}, disconnect: async () => {} },
      },
      8_000,
    );
    await runShutdownSteps(steps, 8_000);
    expect(given).toBe(4_000);
  });
});

describe("runShutdownSteps", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("abandons a step that hangs past its bound and still runs the ones after it", async () => {
    const ran: string[] = [];
    const reports: string[] = [];
    const running = runShutdownSteps(
      [
        { name: "stuck", maxMs: 2_000, run: () => new Promise(() => {}) },
        {
          name: "broken",
          run: async () => {
            throw new Error("boom");
          },
        },
        {
          name: "last",
          run: async () => {
            ran.push("last");
          },
        },
      ],
      5_000,
      (step, outcome) => reports.push(`${step}: ${outcome}`),
    );
    await vi.advanceTimersByTimeAsync(1_999);
    expect(reports).toEqual([]); // the stuck step still has 1 ms of its bound
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const outcomes = await running;
    expect(outcomes).toEqual({ stuck: "timed-out", broken: "failed", last: "done" });
    expect(ran).toEqual(["last"]);
    expect(reports).toEqual(["stuck: timed-out", "broken: failed"]);
  });

  it("gives a step no more than what is left of the total", async () => {
    const budgets: number[] = [];
    const running = runShutdownSteps(
      [
        { name: "slow", run: () => new Promise(() => {}) },
        {
          name: "after",
          maxMs: 1_000,
          run: async (ms) => {
            budgets.push(ms);
          },
        },
      ],
      30,
    );
    await vi.advanceTimersByTimeAsync(30);
    await running;
    // The slow step used up the 30 ms: the next gets what is left (nothing), not its 1,000.
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toBe(0);
  });
});
