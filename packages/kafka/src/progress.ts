import type { Clock } from "./clock.js";

export interface ProgressTickerOptions {
  total: number;
  clock: Pick<Clock, "now">;
  /** Below this many records a run is short enough that progress lines are only noise. */
  minTotal?: number;
  /** Report each time this fraction of the total more is done (0.1 = every 10 %). */
  everyFraction?: number;
  /** ...or when this long has passed since the last report, whichever comes first. */
  everyMs?: number;
}

/** Decides when a progress line is due; printing it is the caller's business. */
export class ProgressTicker {
  private readonly enabled: boolean;
  private readonly step: number;
  private readonly everyMs: number;
  private nextAt: number;
  private lastReport: number;

  constructor(private readonly options: ProgressTickerOptions) {
    this.enabled = options.total >= (options.minTotal ?? 10_000);
    this.step = Math.max(1, Math.ceil(options.total * (options.everyFraction ?? 0.1)));
    this.everyMs = options.everyMs ?? 2_000;
    this.nextAt = this.step;
    this.lastReport = options.clock.now();
  }

  /** Call with the running total of records done; true when a progress line should go out now. */
  update(done: number): boolean {
    if (!this.enabled) return false;
    const now = this.options.clock.now();
    const crossedStep = done >= this.nextAt;
    const timeIsUp = now - this.lastReport >= this.everyMs && done < this.options.total;
    if (!crossedStep && !timeIsUp) return false;
    while (this.nextAt <= done) this.nextAt += this.step;
    this.lastReport = now;
    return true;
  }
}
