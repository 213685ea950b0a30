import type { z } from "zod";
import { type BatchSizeOptions, BatchSizer } from "./batch-size.js";
import type { PacingModeSchema } from "./config.js";
import type { PushBack, PushBackClassifier, SignalState } from "./signals.js";

export type PacingMode = z.infer<typeof PacingModeSchema>;

export interface PacingOptions {
  /** adaptive: size follows batch time, errors back off; fixed: the initial size throughout. */
  mode: PacingMode;
  batchSize: BatchSizeOptions;
  /** Batches this worker runs at once, whatever the number of running workflows. */
  maxConcurrentBatches: number;
  /** Least time between two batch starts while a signal says slow; default the target batch time. */
  slowIntervalMs?: number;
  /** Back-off between batch starts after the database pushed back: doubles per failure, halves per success. */
  backoff?: { initialMs: number; maxMs: number };
  classify?: PushBackClassifier;
  onChange?: (change: PacingChange) => void;
}

/** What made the pace change. */
export type PacingCause = "batch_time" | "push_back" | "recovered" | "signal";

/** One change of pace: one `pacing_changed` log line and one count in the metrics. */
export interface PacingChange extends PacingState {
  cause: PacingCause;
  reason: string;
}

export interface PacingState {
  mode: PacingMode;
  batchSize: number;
  /** Least time between two batch starts; 0 when only the concurrency cap bounds the rate. */
  intervalMs: number;
  /** The rate that interval allows (null: unbounded by it). */
  batchesPerSecond: number | null;
  /** Signals holding every new batch, with their reasons. */
  holds: string[];
  slows: string[];
  running: number;
  waiting: number;
  maxConcurrentBatches: number;
}

export type BatchOutcome = { rowsDeleted: number } | { error: unknown };

/** A batch's turn: run it with `batchSize` rows at most, then report how it went, exactly once. */
export interface BatchSlot {
  readonly batchSize: number;
  finish(outcome: BatchOutcome): void;
}

export const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 30_000 };

/**
 * The worker-wide pace of batch deletes. Every batch step takes a slot before touching the
 * database and gives it back after: at most maxConcurrentBatches run at once, none starts while
 * a signal holds, starts are spaced while a signal says slow or the database pushed back, and
 * (adaptive) the batch size follows the batch time. Waiting batches start in arrival order.
 * Each worker paces itself from the same shared signals; nothing coordinates workers.
 */
export class PacingController {
  private readonly sizer: BatchSizer;
  private readonly waiting: Array<(slot: BatchSlot) => void> = [];
  private readonly signals = new Map<string, SignalState>();
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly slowIntervalMs: number;
  private running = 0;
  private backoffMs = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PacingOptions) {
    const { maxConcurrentBatches } = options;
    if (!Number.isInteger(maxConcurrentBatches) || maxConcurrentBatches < 1)
      throw new RangeError(`maxConcurrentBatches must be ≥ 1, got ${maxConcurrentBatches}`);
    this.sizer = new BatchSizer(options.batchSize);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.slowIntervalMs = options.slowIntervalMs ?? options.batchSize.targetBatchMs;
  }

  /** Resolves with a slot when this batch may run. */
  acquire(): Promise<BatchSlot> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.pump();
    });
  }

  /** Sets what one named signal says; a change of hold or slow is a change of pace. */
  setSignal(name: string, state: SignalState): void {
    const before = this.signals.get(name) ?? { level: "ok" };
    this.signals.set(name, state);
    if (before.level === state.level && reasonOf(before) === reasonOf(state)) return;
    const levelChanged = before.level !== state.level;
    if (levelChanged) {
      const reason =
        state.level === "ok" ? `${name}: recovered (was ${before.level})` : `${name}: ${reasonOf(state)}`;
      this.changed(state.level === "ok" ? "recovered" : "signal", reason);
    }
    this.pump();
  }

  state(): PacingState {
    const intervalMs = this.intervalMs();
    return {
      mode: this.options.mode,
      batchSize: this.sizer.size,
      intervalMs,
      batchesPerSecond: intervalMs > 0 ? Math.round((1000 / intervalMs) * 100) / 100 : null,
      holds: this.named("hold"),
      slows: this.named("slow"),
      running: this.running,
      waiting: this.waiting.length,
      maxConcurrentBatches: this.options.maxConcurrentBatches,
    };
  }

  /** Stops the timer of a spaced start; waiting batches stay waiting (the process is ending). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiting.length > 0 && this.running < this.options.maxConcurrentBatches) {
      if (this.named("hold").length > 0) return;
      const waitMs = this.lastStart + this.intervalMs() - Date.now();
      if (waitMs > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, waitMs);
        return;
      }
      const grant = this.waiting.shift() as (slot: BatchSlot) => void;
      this.running += 1;
      this.lastStart = Date.now();
      grant(this.slot(this.sizer.size, this.lastStart));
    }
  }

  private slot(batchSize: number, startedAt: number): BatchSlot {
    let finished = false;
    return {
      batchSize,
      finish: (outcome) => {
        if (finished) return;
        finished = true;
        this.running -= 1;
        this.finished(batchSize, Date.now() - startedAt, outcome);
        this.pump();
      },
    };
  }

  private finished(batchSize: number, durationMs: number, outcome: BatchOutcome): void {
    if (this.options.mode === "fixed") return;
    if ("error" in outcome) {
      const pushBack = this.options.classify?.(outcome.error);
      if (pushBack) this.pushedBack(pushBack);
      return;
    }
    if (this.backoffMs > 0) {
      const halved = this.backoffMs / 2;
      this.backoffMs = halved < this.backoff.initialMs ? 0 : halved;
      this.changed("recovered", `a batch succeeded: back-off ${this.backoffMs} ms`);
    }
    const change = this.sizer.record(durationMs, batchSize, outcome.rowsDeleted);
    if (change) {
      const direction = change.to > change.from ? "under" : "over";
      this.changed(
        "batch_time",
        `average batch time ${Math.round(change.averageMs)} ms ${direction} the ${this.options.batchSize.targetBatchMs} ms target: batch size ${change.from} -> ${change.to}`,
      );
    }
  }

  private pushedBack(kind: PushBack): void {
    this.backoffMs =
      this.backoffMs === 0 ? this.backoff.initialMs : Math.min(this.backoff.maxMs, this.backoffMs * 2);
    const shrunk = this.sizer.shrink();
    const size = shrunk ? `; batch size ${shrunk.from} -> ${shrunk.to}` : "";
    this.changed("push_back", `${kind}: back-off ${this.backoffMs} ms${size}`);
  }

  private intervalMs(): number {
    const slow = this.named("slow").length > 0 ? this.slowIntervalMs : 0;
    return Math.max(slow, this.backoffMs);
  }

  private named(level: "slow" | "hold"): string[] {
    const found: string[] = [];
    for (const [name, state] of this.signals) {
      if (state.level === level) found.push(`${name}: ${reasonOf(state)}`);
    }
    return found;
  }

  private changed(cause: PacingCause, reason: string): void {
    this.options.onChange?.({ ...this.state(), cause, reason });
  }
}

function reasonOf(state: SignalState): string {
  return state.level === "ok" ? "" : state.reason;
}
