import type { RedriveSummary } from "@deletion/kafka";
import { describe, expect, it } from "vitest";
import { progressLine, summaryLine } from "../src/report.js";

const summary = (over: Partial<RedriveSummary> = {}): RedriveSummary => ({
  read: 5,
  total: 5,
  republished: 3,
  wouldRepublish: 0,
  skipped: { unreadable: 0, reasonNotSelected: 2, noRequest: 0, alreadyInThisRun: 0 },
  dryRun: false,
  complete: true,
  recordIds: ["a", "b", "c"],
  ...over,
});
const topics = { deadLetters: "dlq", requests: "req" };

describe("redrive report", () => {
  it("sums up what was re-published and why the rest was skipped", () => {
    expect(summaryLine(summary(), topics)).toBe(
      "re-published 3 request(s) to req from 5 dead letter(s) read from dlq; skipped 2 (reason not selected: 2)",
    );
  });

  it("says a dry run would re-publish, and names a run that stopped short", () => {
    expect(summaryLine(summary({ dryRun: true, republished: 0, wouldRepublish: 3 }), topics)).toMatch(
      /^dry run: would re-publish 3 request\(s\)/,
    );
    expect(summaryLine(summary({ complete: false, read: 2 }), topics)).toMatch(
      /stopped before the end of dlq \(read 2 of 5\)$/,
    );
  });

  it("progress", () => {
    expect(progressLine({ read: 400, total: 1000, republished: 120 })).toBe(
      "progress: 400 / 1,000 dead letters read, 120 re-published",
    );
  });
});
