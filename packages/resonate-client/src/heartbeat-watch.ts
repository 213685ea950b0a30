import { LOG_EVENTS } from "@deletion/contracts";
import type { Logger } from "@resonatehq/sdk";

/**
 * Records, per held task, the time between two acknowledged heartbeats: at `ttl` apart the task
 * is lost to another worker, which repeats its steps. Why: docs/decisions/task-ttl-rule.md
 */
export class HeartbeatWatch {
  private readonly lastAck = new Map<string, number>();
  private maxGap = 0;
  private lastWarned = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
    /** At most one warning this often. */
    private readonly warnEveryMs = 30_000,
  ) {}

  /** The largest gap between two acknowledged heartbeats of one task so far, in ms. */
  get maxGapMs(): number {
    return this.maxGap;
  }

  /** A heartbeat naming `taskIds` was acknowledged by the server just now. */
  acknowledged(taskIds: readonly string[]): void {
    const now = this.now();
    let widest = 0;
    const seen = new Set(taskIds);
    for (const id of taskIds) {
      const previous = this.lastAck.get(id);
      if (previous !== undefined) widest = Math.max(widest, now - previous);
      this.lastAck.set(id, now);
    }
    // A task missing from this heartbeat was finished or released: its next one starts afresh.
    for (const id of this.lastAck.keys()) if (!seen.has(id)) this.lastAck.delete(id);
    this.maxGap = Math.max(this.maxGap, widest);
    if (widest > 0.75 * this.ttlMs && now - this.lastWarned >= this.warnEveryMs) {
      this.lastWarned = now;
      this.logger.warn(
        {
          component: "heartbeat",
          event: LOG_EVENTS.heartbeatLate,
          gapMs: Math.round(widest),
          ttlMs: this.ttlMs,
        },
        widest >= this.ttlMs
          ? "heartbeats of a held task came further apart than the task TTL: another worker may have taken it over; raise RESONATE_TTL_MS"
          : "heartbeats of a held task came close to the task TTL apart: raise RESONATE_TTL_MS before tasks are lost",
      );
    }
  }
}
