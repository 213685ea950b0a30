import { describe, expect, it } from "vitest";
import { ProgressTicker } from "../src/progress.js";
import { FakeClock } from "./fake-clock.js";

describe("ProgressTicker", () => {
  it("stays quiet for small runs", () => {
    const ticker = new ProgressTicker({ total: 9_999, clock: new FakeClock() });
    expect([1_000, 5_000, 9_999].some((n) => ticker.update(n))).toBe(false);
  });

  it("reports each 10 % once, even when one update crosses several steps", () => {
    const ticker = new ProgressTicker({ total: 100_000, clock: new FakeClock() });
    const due = [5_000, 10_000, 12_000, 35_000, 39_000, 40_000, 100_000].filter((n) => ticker.update(n));
    expect(due).toEqual([10_000, 35_000, 40_000, 100_000]);
  });

  it("reports when 2 s pass without reaching the next step", () => {
    const clock = new FakeClock();
    const ticker = new ProgressTicker({ total: 1_000_000, clock });
    clock.time = 1_999;
    expect(ticker.update(1_000)).toBe(false);
    clock.time = 2_000;
    expect(ticker.update(2_000)).toBe(true);
    clock.time = 3_000;
    expect(ticker.update(3_000)).toBe(false);
    clock.time = 4_000;
    expect(ticker.update(4_000)).toBe(true);
  });
});
