import { LOG_EVENTS } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { HeartbeatWatch } from "../src/heartbeat-watch.js";

function recordingLogger() {
  const warnings: Record<string, unknown>[] = [];
  const ignore = () => {};
  return {
    warnings,
    logger: {
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (fields: Record<string, unknown>) => warnings.push(fields),
    },
  };
}

describe("HeartbeatWatch", () => {
  it("measures the gap between acknowledged heartbeats per task, not between unrelated ones", () => {
    let now = 0;
    const { logger, warnings } = recordingLogger();
    const watch = new HeartbeatWatch(30_000, logger, () => now);
    watch.acknowledged(["a"]);
    now = 15_000;
    watch.acknowledged(["a", "b"]);
    now = 31_000;
    watch.acknowledged(["a", "b"]);
    expect(watch.maxGapMs).toBe(16_000);
    expect(warnings).toHaveLength(0);
  });

  it("forgets a task that was missing from a heartbeat (finished or released)", () => {
    let now = 0;
    const { logger, warnings } = recordingLogger();
    const watch = new HeartbeatWatch(10_000, logger, () => now);
    watch.acknowledged(["a"]);
    now = 5_000;
    watch.acknowledged(["b"]);
    now = 60_000;
    watch.acknowledged(["a"]);
    expect(watch.maxGapMs).toBe(0);
    expect(warnings).toHaveLength(0);
  });

  it("warns when a task's heartbeats come more than 3/4 of the TTL apart, at a bounded rate", () => {
    let now = 0;
    const { logger, warnings } = recordingLogger();
    const watch = new HeartbeatWatch(10_000, logger, () => now, 30_000);
    for (let i = 1; i <= 5; i++) {
      watch.acknowledged(["a"]);
      now += 8_000;
    }
    watch.acknowledged(["a"]);
    expect(watch.maxGapMs).toBe(8_000);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ event: LOG_EVENTS.heartbeatLate, gapMs: 8_000, ttlMs: 10_000 });
  });
});
