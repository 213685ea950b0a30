import { describe, expect, it } from "vitest";
import { type BulkStatus, bulkProgressLine, describeBulkStatus } from "../src/index.js";

const status: BulkStatus = {
  bulkId: "b",
  promiseId: "deletion/_bulk/b",
  state: "running",
  phase: "following",
  matched: 2000,
  softDeleted: 2000,
  requested: 2000,
  done: 990,
  failed: 10,
  failedIds: ["c-1"],
  rowsDeleted: 30_000,
  notRequested: 0,
  restored: 0,
  recordsPerSecond: 100,
  etaSeconds: 10,
  cancelRequested: false,
};

describe("bulk progress", () => {
  it("draws the share of finished records, counts, rate and ETA", () => {
    expect(bulkProgressLine(status, 10)).toBe(
      "[#####.....]  50% 1000/2000 (following: soft-deleted 2000, requested 2000, failed 10, 100.0/s, ETA 10 s)",
    );
    expect(
      bulkProgressLine({ ...status, state: "completed", matched: 0, requested: 0, done: 0, failed: 0 }, 4),
    ).toBe("[####] 100% 0/0 (completed: soft-deleted 2000, requested 0, failed 0, 100.0/s)");
  });

  it("describes a bulk in lines a person reads", () => {
    expect(describeBulkStatus(status)).toEqual([
      "bulk b: running (following)",
      "  matched 2000, soft-deleted 2000, requested 2000, done 990, failed 10, rows 30000",
      "  rate 100.0 records/s, ETA 10 s",
      "  failed: c-1",
    ]);
  });
});
