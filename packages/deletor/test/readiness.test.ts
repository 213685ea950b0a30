import { describe, expect, it } from "vitest";
import { readinessOf } from "../src/readiness.js";

const base = { connected: true, groupJoined: true, assignedPartitions: 3, atBound: false, stopping: false };

describe("readinessOf", () => {
  it("is ready when connected, in the group and not stopping, also at a bound", () => {
    expect(readinessOf(base).ready).toBe(true);
    expect(readinessOf({ ...base, atBound: true })).toMatchObject({ ready: true, atBound: true });
  });

  it("is not ready before joining, after disconnecting or while stopping", () => {
    expect(readinessOf({ ...base, groupJoined: false }).ready).toBe(false);
    expect(readinessOf({ ...base, connected: false })).toMatchObject({ ready: false, assignedPartitions: 0 });
    expect(readinessOf({ ...base, stopping: true }).ready).toBe(false);
  });
});
