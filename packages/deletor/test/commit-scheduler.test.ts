import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommitScheduler } from "../src/commit-scheduler.js";
import { WorkerMetrics } from "../src/metrics.js";
import { type CommitEntry, OffsetTracker } from "../src/offset-tracker.js";
import { capturingLogger } from "./worker-fakes.js";

function setup(commit: (entries: CommitEntry[]) => Promise<void>, intervalMs = 60_000) {
  const tracker = new OffsetTracker();
  const metrics = new WorkerMetrics({ processMetrics: false });
  const { logger, lines } = capturingLogger();
  const scheduler = new CommitScheduler({
    tracker,
    commit,
    canCommit: () => true,
    intervalMs,
    timeoutMs: 50,
    logger,
    metrics,
  });
  return { tracker, metrics, lines, scheduler };
}

/** Two offsets read on a partition; both safe, so the position to commit is 2. */
function readAndFinish(tracker: OffsetTracker, partition = 0): void {
  const p = tracker.partition("t", partition);
  p.track(0n);
  p.track(1n);
  p.markSafe(0n);
  p.markSafe(1n);
}

const failures = async (metrics: WorkerMetrics, reason: string) =>
  (await metrics.commitFailures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe("CommitScheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("commits the positions that moved, once", async () => {
    const sent: CommitEntry[][] = [];
    const { tracker, scheduler } = setup(async (entries) => {
      sent.push(entries);
    });
    readAndFinish(tracker);
    expect(await scheduler.commitSafe()).toBe("committed");
    expect(await scheduler.commitSafe()).toBe("nothing");
    expect(sent).toEqual([[{ topic: "t", partition: 0, offset: "2" }]]);
  });

  it("retries a failed commit on the next tick", async () => {
    const sent: CommitEntry[][] = [];
    let fail = true;
    const { tracker, scheduler, lines, metrics } = setup(async (entries) => {
      sent.push(entries);
      if (fail) {
        fail = false;
        throw new Error("coordinator not available");
      }
    }, 10);
    readAndFinish(tracker);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(10); // first tick: refused
    expect(sent).toHaveLength(1);
    expect(tracker.pendingCommits()).toEqual([{ topic: "t", partition: 0, offset: "2" }]);
    await vi.advanceTimersByTimeAsync(10); // next tick: sent again, and committed
    expect(tracker.pendingCommits()).toEqual([]);
    scheduler.stop();

    expect(sent).toEqual([
      [{ topic: "t", partition: 0, offset: "2" }],
      [{ topic: "t", partition: 0, offset: "2" }],
    ]);
    expect(lines.filter((l) => l.event === LOG_EVENTS.commitFailed)).toHaveLength(1);
    expect(await failures(metrics, "error")).toBe(1);
  });

  it("gives up on a commit the broker does not answer, and the next one goes out", async () => {
    const sent: CommitEntry[][] = [];
    let hang = true;
    const { tracker, scheduler, lines, metrics } = setup((entries) => {
      sent.push(entries);
      if (hang) {
        hang = false;
        return new Promise(() => {}); // never answered
      }
      return Promise.resolve();
    });
    readAndFinish(tracker);
    const first = scheduler.commitSafe();
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toBe("timed-out");
    expect(tracker.pendingCommits()).toEqual([{ topic: "t", partition: 0, offset: "2" }]);
    expect(await scheduler.commitSafe()).toBe("committed");
    expect(sent).toHaveLength(2);
    expect(lines.find((l) => l.event === LOG_EVENTS.commitTimedOut)).toMatchObject({ timeoutMs: 50 });
    expect(await failures(metrics, "timeout")).toBe(1);
  });

  it("runs one commit at a time, in the order asked", async () => {
    const events: string[] = [];
    const firstSent = Promise.withResolvers<void>();
    const firstAnswer = Promise.withResolvers<void>();
    const { tracker, scheduler } = setup(async (entries) => {
      const what = entries.map((e) => `${e.partition}@${e.offset}`).join(",");
      events.push(`send ${what}`);
      if (what === "0@2") {
        firstSent.resolve();
        await firstAnswer.promise;
      }
      events.push(`answered ${what}`);
    });
    readAndFinish(tracker, 0);
    const first = scheduler.commitSafe();
    await firstSent.promise;
    readAndFinish(tracker, 1);
    const second = scheduler.commitSafe((p) => p.partition === 1);
    await vi.advanceTimersByTimeAsync(49); // all but the last ms of the first one's timeout
    expect(events).toEqual(["send 0@2"]); // the second waits for the first

    firstAnswer.resolve();
    expect(await Promise.all([first, second])).toEqual(["committed", "committed"]);
    expect(events).toEqual(["send 0@2", "answered 0@2", "send 1@2", "answered 1@2"]);
  });

  it("commits only the partitions asked for", async () => {
    const sent: CommitEntry[][] = [];
    const { tracker, scheduler } = setup(async (entries) => {
      sent.push(entries);
    });
    readAndFinish(tracker, 0);
    readAndFinish(tracker, 1);
    await scheduler.commitSafe((p) => p.partition === 1);
    expect(sent).toEqual([[{ topic: "t", partition: 1, offset: "2" }]]);
    expect(tracker.pendingCommits()).toEqual([{ topic: "t", partition: 0, offset: "2" }]);
  });
});
