import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { retryUntilStopped, StoppedError } from "../src/retry.js";

describe("retryUntilStopped", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("backs off even when asked for no initial delay, so a failing call never spins", async () => {
    const delays: number[] = [];
    let calls = 0;
    const retried = expect(
      retryUntilStopped(
        async () => {
          calls++;
          throw new Error("refused");
        },
        {
          initialDelayMs: 0,
          maxDelayMs: 64,
          // Stopped by count, not by time: the delays are the behaviour under test.
          isStopped: () => calls >= 8,
          onError: (_err, _attempt, next) => delays.push(next),
        },
      ),
    ).rejects.toBeInstanceOf(StoppedError);
    await vi.runAllTimersAsync();
    await retried;
    expect(delays.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(calls).toBe(8);
  });

  it("returns the first success", async () => {
    let calls = 0;
    const retried = retryUntilStopped(
      async () => {
        if (++calls < 3) throw new Error("not yet");
        return "done";
      },
      { initialDelayMs: 1, maxDelayMs: 2, isStopped: () => false, onError: () => {} },
    );
    await vi.advanceTimersByTimeAsync(1 + 2);
    expect(await retried).toBe("done");
    expect(calls).toBe(3);
  });
});
