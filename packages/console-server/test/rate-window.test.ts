import { describe, expect, it } from "vitest";
import { RateWindow } from "../src/rate-window.js";

describe("RateWindow", () => {
  it("counts events of the last window only, in a fixed number of buckets", () => {
    let now = 600_000;
    const window = new RateWindow(60_000, 60, () => now);
    window.add();
    window.add(now - 59_000);
    window.add(now - 61_000);
    window.add(now + 5_000);
    expect(window.count()).toBe(3);
    now += 2_000;
    expect(window.count()).toBe(2);
    // Much later, a bucket reused for a new second starts from zero.
    now += 600_000;
    window.add();
    expect(window.count()).toBe(1);
  });
});
