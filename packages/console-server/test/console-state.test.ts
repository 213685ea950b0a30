import { DeadLetterSchema, DeletionCompletedSchema, encodeMessage } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { ConsoleState } from "../src/console-state.js";

const clock = (start: number) => {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
};

const completion = (recordId: string, completedAt: Date, offset = 0) =>
  encodeMessage(DeletionCompletedSchema, {
    schemaVersion: 1,
    recordId,
    source: { topic: "requests", partition: 0, offset: String(offset) },
    completedAt: completedAt.toISOString(),
    batches: 2,
    rowsDeleted: 7,
    transientErrorsRetried: 0,
    workflowId: `deletion/${recordId}`,
  });

const deadLetter = (recordId: string, reasonCode: "WORKFLOW_FAILED" | "INVALID_JSON") =>
  encodeMessage(DeadLetterSchema, {
    schemaVersion: 1,
    reasonCode,
    reason: `because ${reasonCode}`,
    source: { topic: "requests", partition: 0, offset: "3" },
    keyBase64: Buffer.from(recordId).toString("base64"),
    // A failed deletion carries its whole request; bad input carries what it was.
    valueBase64: Buffer.from(
      reasonCode === "WORKFLOW_FAILED"
        ? JSON.stringify({ schemaVersion: 1, recordId, requestedAt: new Date(0).toISOString() })
        : "{ nope",
    ).toString("base64"),
    deadLetteredAt: new Date(0).toISOString(),
  });

const newState = (now: () => number, recentLimit = 100) =>
  new ConsoleState({ now, recentLimit, lagGroup: "workers", lagTopic: "requests" });

describe("ConsoleState", () => {
  it("counts completions in total and in the last minute by their completion time", () => {
    const t = clock(Date.parse("2026-01-01T00:10:00Z"));
    const state = newState(t.now);
    state.addCompletion(completion("a", new Date(t.now() - 120_000)));
    state.addCompletion(completion("b", new Date(t.now() - 30_000)));
    state.addCompletion(completion("c", new Date(t.now())));
    expect(state.snapshot().completions).toMatchObject({ total: 3, perMinute: 2 });
    t.advance(45_000);
    expect(state.snapshot().completions).toMatchObject({ total: 3, perMinute: 1 });
    t.advance(60_000);
    expect(state.snapshot().completions).toMatchObject({ total: 3, perMinute: 0 });
  });

  it("keeps the last N rows newest first while the counters keep counting", () => {
    const t = clock(1_000_000);
    const state = newState(t.now, 3);
    for (let i = 0; i < 10; i++) state.addCompletion(completion(`r${i}`, new Date(t.now()), i));
    const { completions } = state.snapshot();
    expect(completions.total).toBe(10);
    expect(completions.recent.map((c) => c.recordId)).toEqual(["r9", "r8", "r7"]);
    expect(completions.recent[0]).toMatchObject({ requestPartition: 0, requestOffset: "9", attempt: 1 });
  });

  it("ignores a completion that does not decode", () => {
    const state = newState(() => 0);
    state.addCompletion(Buffer.from("{ nope"));
    expect(state.snapshot().completions.total).toBe(0);
  });

  it("counts dead letters by reason (an unreadable one as UNREADABLE), says which re-drive can publish, and finds one by position", () => {
    const state = newState(() => 0);
    state.addDeadLetter(deadLetter("x", "WORKFLOW_FAILED"), { partition: 0, offset: "0" });
    state.addDeadLetter(deadLetter("y", "WORKFLOW_FAILED"), { partition: 0, offset: "1" });
    state.addDeadLetter(deadLetter("z", "INVALID_JSON"), { partition: 1, offset: "0" });
    state.addDeadLetter(Buffer.from("garbage"), { partition: 1, offset: "1" });
    const { deadLetters } = state.snapshot();
    expect(deadLetters.total).toBe(4);
    expect(deadLetters.byReason).toEqual({ INVALID_JSON: 1, UNREADABLE: 1, WORKFLOW_FAILED: 2 });
    expect(deadLetters.recent.map((d) => [d.reasonCode, d.recordId, d.redrivable])).toEqual([
      ["UNREADABLE", null, false],
      ["INVALID_JSON", "z", false],
      ["WORKFLOW_FAILED", "y", true],
      ["WORKFLOW_FAILED", "x", true],
    ]);
    expect(state.deadLetterAt({ partition: 0, offset: "1" })?.row.recordId).toBe("y");
    expect(state.deadLetterAt({ partition: 5, offset: "1" })).toBeUndefined();
  });

  it("marks re-driven dead letters by position, or by reason and record id", () => {
    const state = newState(() => 0);
    state.addDeadLetter(deadLetter("x", "WORKFLOW_FAILED"), { partition: 0, offset: "0" });
    state.addDeadLetter(deadLetter("y", "WORKFLOW_FAILED"), { partition: 0, offset: "1" });
    state.addDeadLetter(deadLetter("y", "INVALID_JSON"), { partition: 0, offset: "2" });
    state.markRedriven({ where: { partition: 0, offset: "0" } });
    expect(state.snapshot().deadLetters.recent.map((d) => d.redriven)).toEqual([false, false, true]);
    state.markRedriven({ reason: "WORKFLOW_FAILED", recordIds: ["y"] });
    expect(state.snapshot().deadLetters.recent.map((d) => d.redriven)).toEqual([false, true, true]);
  });

  it("adds up lag over partitions in partition order and keeps the last error apart", () => {
    const state = newState(() => 0);
    state.setLag({
      partitions: [
        { partition: 1, committed: "4", end: "10", lag: 6 },
        { partition: 0, committed: null, end: "3", lag: 3 },
      ],
    });
    expect(state.snapshot().lag).toMatchObject({ total: 9, error: null });
    expect(state.snapshot().lag.partitions.map((p) => p.partition)).toEqual([0, 1]);
    state.setLag({ error: "broker down" });
    expect(state.snapshot().lag).toMatchObject({ total: 9, error: "broker down" });
  });

  it("sums the in-flight gauges of the workers that answered; none answered is null", () => {
    const state = newState(() => 0);
    const worker = { ready: true, assignedPartitions: 1, checkedAt: null, error: null };
    expect(state.snapshot().inFlight).toBeNull();
    state.setWorkers([
      { ...worker, url: "http://a", inFlight: 3 },
      { ...worker, url: "http://b", inFlight: null, ready: null, error: "refused" },
      { ...worker, url: "http://c", inFlight: 4 },
    ]);
    expect(state.snapshot().inFlight).toBe(7);
  });

  it("tells its listeners of every change", () => {
    const state = newState(() => 0);
    let changes = 0;
    const off = state.subscribe(() => changes++);
    state.addCompletion(completion("a", new Date(0)));
    state.setTopics({ ok: true });
    off();
    state.setResonate({ ok: false, error: "down" });
    expect(changes).toBe(2);
    expect(state.snapshot().resonate).toMatchObject({ ok: false, error: "down" });
  });
});
