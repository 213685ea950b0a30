import { describe, expect, it } from "vitest";
import { machineFacts } from "../src/harness/machine.ts";
import { percentile, spread } from "../src/harness/stats.ts";

describe("spread", () => {
  it("gives the middle value of an odd count and the range", () => {
    expect(spread([9, 1, 5])).toEqual({ median: 5, min: 1, max: 9, runs: 3 });
  });

  it("averages the middle two of an even count", () => {
    expect(spread([4, 1, 10, 2])).toEqual({ median: 3, min: 1, max: 10, runs: 4 });
  });

  it("refuses no values", () => {
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe("percentile", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted on purpose

  it("is the nearest rank: a measured value", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it("p99 of 200 values leaves the two largest above it", () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(198);
  });

  it("refuses a percentile outside (0, 100]", () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("machineFacts", () => {
  it("names the cores, the memory, the Node version and three load averages", () => {
    const facts = machineFacts();
    expect(facts.cores).toBeGreaterThan(0);
    expect(facts.memoryGiB).toBeGreaterThan(0);
    expect(facts.node).toBe(process.version);
    expect(facts.loadAverage).toHaveLength(3);
    expect(Number.isNaN(Date.parse(facts.date))).toBe(false);
  });
});
