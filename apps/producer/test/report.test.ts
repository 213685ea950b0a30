import type { ProduceSummary } from "@deletion/kafka";
import { describe, expect, it } from "vitest";
import { progressLine, summaryLine } from "../src/report.js";

const summary: ProduceSummary = {
  requested: 1000,
  produced: 1000,
  partitions: [0, 1, 2],
  elapsedMs: 412,
  messagesPerSecond: 2427.18,
  firstId: "run-000001",
  lastId: "run-001000",
  aborted: false,
};

describe("report lines", () => {
  it("summarises a complete run", () => {
    expect(summaryLine(summary, "t")).toBe(
      "produced 1,000 deletion requests to t (3 partition(s)) in 0.41 s: 2,427 msgs/s; ids run-000001..run-001000",
    );
  });

  it("says when a run was interrupted", () => {
    const line = summaryLine({ ...summary, produced: 230, lastId: "run-000230", aborted: true }, "t");
    expect(line).toMatch(/^interrupted: produced 230 of 1,000 deletion requests/);
  });

  it("shows progress as a count and a percentage", () => {
    expect(progressLine({ produced: 40_000, total: 100_000, elapsedMs: 3_100 })).toBe(
      "progress: 40,000 / 100,000 (40 %) after 3.1 s",
    );
  });
});
