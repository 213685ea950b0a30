import { describe, expect, it } from "vitest";
import { TokenBucket } from "../src/token-bucket.js";
import { FakeClock } from "./fake-clock.js";

describe("TokenBucket", () => {
  it("lets a full burst through at once, then makes the next wait n / rate", () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, 10, clock);
    expect(bucket.reserve(10)).toBe(0);
    expect(bucket.reserve(10)).toBe(100);
  });

  it("refills with time, never beyond the burst", () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, 10, clock);
    bucket.reserve(10);
    clock.time += 50; // five tokens back
    expect(bucket.reserve(5)).toBe(0);
    clock.time += 10_000; // would be 1000 tokens, capped at 10
    expect(bucket.reserve(10)).toBe(0);
    expect(bucket.reserve(1)).toBe(10);
  });

  it("keeps the long-run rate exact when the caller sleeps what it is told", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(250, 25, clock);
    for (let i = 0; i < 100; i++) await clock.sleep(bucket.reserve(25));
    // 2,500 tokens at 250/s, the first 25 free: (2500 - 25) / 250 s
    expect(clock.time).toBeCloseTo(9_900, 6);
  });

  it("rejects a rate or burst that is not positive", () => {
    const clock = new FakeClock();
    expect(() => new TokenBucket(0, 1, clock)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, clock)).toThrow(RangeError);
  });
});
