import { describe, expect, it } from "vitest";
import { OffsetTracker, PartitionOffsets } from "../src/offset-tracker.js";

describe("PartitionOffsets", () => {
  it("has nothing to commit before anything is read", () => {
    expect(new PartitionOffsets("t", 0).commitPosition()).toBeUndefined();
  });

  it("commits up to the lowest offset that is not safe", () => {
    const p = new PartitionOffsets("t", 0);
    for (const o of [10n, 11n, 12n, 13n]) p.track(o);
    expect(p.commitPosition()).toBe(10n);

    p.markSafe(12n); // finishes out of order: nothing below it moved
    expect(p.commitPosition()).toBe(10n);
    p.markSafe(10n);
    expect(p.commitPosition()).toBe(11n);
    p.markSafe(11n);
    expect(p.commitPosition()).toBe(13n); // 12 was already safe
    p.markSafe(13n);
    expect(p.commitPosition()).toBe(14n); // all safe: one past the highest
    expect(p.inFlight).toBe(0);
  });

  it("handles gaps in offsets (compaction, transaction markers)", () => {
    const p = new PartitionOffsets("t", 0);
    p.track(5n);
    p.track(9n);
    p.markSafe(5n);
    expect(p.commitPosition()).toBe(9n);
    p.markSafe(9n);
    expect(p.commitPosition()).toBe(10n);
  });

  it("ignores a redelivered offset it has already seen", () => {
    const p = new PartitionOffsets("t", 0);
    p.track(1n);
    p.track(2n);
    p.markSafe(1n);
    p.track(1n);
    expect(p.inFlight).toBe(1);
    expect(p.commitPosition()).toBe(2n);
  });

  it("reports a position only once until it moves again", () => {
    const p = new PartitionOffsets("t", 3);
    p.track(0n);
    p.markSafe(0n);
    expect(p.uncommittedPosition()).toBe(1n);
    p.markCommitted(1n);
    expect(p.uncommittedPosition()).toBeUndefined();
    p.track(1n);
    expect(p.uncommittedPosition()).toBeUndefined(); // still 1: nothing new is safe
    p.markSafe(1n);
    expect(p.uncommittedPosition()).toBe(2n);
  });

  it("keeps 64-bit offsets exact", () => {
    const p = new PartitionOffsets("t", 0);
    const big = 9_007_199_254_740_993n; // 2^53 + 1
    p.track(big);
    p.markSafe(big);
    expect(p.commitPosition()).toBe(big + 1n);
  });
});

describe("OffsetTracker", () => {
  it("lists only partitions whose position moved, as strings", () => {
    const tracker = new OffsetTracker();
    const a = tracker.partition("t", 0);
    const b = tracker.partition("t", 1);
    a.track(0n);
    b.track(0n);
    b.track(1n);
    b.markSafe(0n);

    expect(tracker.inFlight).toBe(2);
    const commits = tracker.pendingCommits();
    expect(commits).toEqual([
      { topic: "t", partition: 0, offset: "0" },
      { topic: "t", partition: 1, offset: "1" },
    ]);
    tracker.markCommitted(commits);
    expect(tracker.pendingCommits()).toEqual([]);
  });

  it("a stale handle of a dropped partition no longer counts", () => {
    const tracker = new OffsetTracker();
    const old = tracker.partition("t", 0);
    old.track(7n);
    tracker.drop("t", 0);
    const fresh = tracker.partition("t", 0);

    old.markSafe(7n);
    expect(fresh).not.toBe(old);
    expect(tracker.inFlight).toBe(0);
    expect(tracker.pendingCommits()).toEqual([]);
  });

  it("filters pending commits to chosen partitions (e.g. the revoked ones)", () => {
    const tracker = new OffsetTracker();
    for (const n of [0, 1, 2]) {
      const p = tracker.partition("t", n);
      p.track(0n);
      p.markSafe(0n);
    }
    expect(tracker.pendingCommits((p) => p.partition !== 1).map((c) => c.partition)).toEqual([0, 2]);
  });
});
