import type { PacingController } from "./controller.js";
import type { HealthSignal } from "./signals.js";

export interface SignalPollerOptions {
  intervalMs: number;
  /** A signal that could not be read (reported once until it reads again); its last state stays. */
  onReadFailed?: (signal: string, error: unknown) => void;
  onReadRecovered?: (signal: string) => void;
}

/**
 * Reads every signal on a timer and hands what each says to the controller. A read that fails
 * keeps that signal's last state: an unreadable replica neither releases a hold nor invents one,
 * and the failure is reported once, not on every tick.
 */
export class SignalPoller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly failing = new Set<string>();

  constructor(
    private readonly controller: PacingController,
    private readonly signals: readonly HealthSignal[],
    private readonly options: SignalPollerOptions,
  ) {}

  /** Reads every signal once now, then on the interval. */
  async start(): Promise<void> {
    await this.pollOnce();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async pollOnce(): Promise<void> {
    await Promise.all(
      this.signals.map(async (signal) => {
        try {
          const state = await signal.check();
          if (this.failing.delete(signal.name)) this.options.onReadRecovered?.(signal.name);
          this.controller.setSignal(signal.name, state);
        } catch (error) {
          if (!this.failing.has(signal.name)) this.options.onReadFailed?.(signal.name, error);
          this.failing.add(signal.name);
        }
      }),
    );
  }

  private schedule(): void {
    if (this.stopped || this.signals.length === 0) return;
    // A chain of timeouts, not an interval: a slow read never overlaps the next.
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref?.();
  }
}
