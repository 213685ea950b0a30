import { LOG_EVENTS } from "@deletion/contracts";
import type { Logger } from "pino";
import type { WorkerMetrics } from "./metrics.js";
import type { CommitEntry, OffsetTracker, PartitionOffsets } from "./offset-tracker.js";

export interface CommitSchedulerOptions {
  tracker: OffsetTracker;
  commit: (entries: CommitEntry[]) => Promise<void>;
  /** Whether committing is possible now (the consumer is connected). */
  canCommit: () => boolean;
  intervalMs: number;
  /** A commit not answered within this long counts as failed; its positions are tried again. */
  timeoutMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

export type CommitResult = "committed" | "nothing" | "failed" | "timed-out";

/**
 * Commits the safe position of every partition that moved (on a timer, on revoke, on shutdown),
 * one at a time and each with a timeout, since the client's commit can wait long for a thread; a
 * failed or timed-out one is sent again on the next tick. Why: docs/decisions/commit-timeout.md
 */
export class CommitScheduler {
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CommitSchedulerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.commitSafe(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Commits what moved (for the partitions `only` selects, or all); never rejects. `timeoutMs`
   * shortens the wait, e.g. for what is left of a shutdown.
   */
  commitSafe(
    only?: (p: PartitionOffsets) => boolean,
    timeoutMs = this.options.timeoutMs,
  ): Promise<CommitResult> {
    const next = this.queue.then(() => this.commitOnce(only, timeoutMs));
    this.queue = next;
    return next;
  }

  private async commitOnce(
    only: ((p: PartitionOffsets) => boolean) | undefined,
    timeoutMs: number,
  ): Promise<CommitResult> {
    const { tracker, logger, metrics } = this.options;
    const entries = tracker.pendingCommits(only);
    if (entries.length === 0 || !this.options.canCommit()) return "nothing";
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timed-out">((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), timeoutMs);
    });
    const attempt = this.options.commit(entries).then(() => "committed" as const);
    // A commit that fails after it timed out has nobody left to tell.
    attempt.catch(() => {});
    try {
      const result = await Promise.race([attempt, timedOut]);
      if (result === "timed-out") {
        metrics.commitFailures.labels("timeout").inc();
        logger.warn(
          { event: LOG_EVENTS.commitTimedOut, entries, timeoutMs },
          `offset commit not answered within ${timeoutMs} ms; will retry`,
        );
        return result;
      }
      tracker.markCommitted(entries);
      for (const e of entries) {
        metrics.committedOffset.labels(e.topic, String(e.partition)).set(Number(e.offset));
      }
      logger.debug({ event: LOG_EVENTS.committed, entries }, "offsets committed");
      return result;
    } catch (err) {
      metrics.commitFailures.labels("error").inc();
      logger.warn({ event: LOG_EVENTS.commitFailed, err, entries }, "offset commit failed; will retry");
      return "failed";
    } finally {
      clearTimeout(timer);
    }
  }
}
