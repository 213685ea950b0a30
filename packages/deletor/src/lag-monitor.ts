import type { Logger } from "pino";
import type { WorkerMetrics } from "./metrics.js";
import type { OffsetTracker } from "./offset-tracker.js";

export interface LagMonitorOptions {
  topic: string;
  tracker: OffsetTracker;
  highWatermarks: (topic: string) => Promise<Map<number, bigint>>;
  canRead: () => boolean;
  intervalMs: number;
  metrics: WorkerMetrics;
  logger: Logger;
}

/** Keeps the committed-offset lag gauge of every owned partition current. */
export class LagMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LagMonitorOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A partition that is no longer ours has no lag to report. */
  forget(topic: string, partition: number): void {
    this.options.metrics.committedLag.remove(topic, String(partition));
  }

  async refresh(): Promise<void> {
    const { tracker, metrics, topic } = this.options;
    const owned = tracker.owned();
    if (owned.length === 0 || !this.options.canRead()) return;
    try {
      const high = await this.options.highWatermarks(topic);
      for (const p of owned) {
        const hw = high.get(p.partition);
        if (p.committed === undefined || hw === undefined) continue;
        metrics.committedLag.labels(p.topic, String(p.partition)).set(Number(hw - p.committed));
      }
    } catch (err) {
      this.options.logger.debug({ err }, "could not refresh lag");
    }
  }
}
