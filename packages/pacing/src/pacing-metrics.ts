import { Counter, Gauge, type Registry } from "prom-client";
import type { PacingChange, PacingController } from "./controller.js";

/**
 * The pace as Prometheus metrics on the worker's registry: gauges read the controller when
 * scraped; the returned function counts a change (call it from the controller's onChange).
 */
export function registerPacingMetrics(
  registry: Registry,
  controller: () => PacingController | undefined,
): (change: PacingChange) => void {
  const read = () => controller()?.state();
  const gauge = (name: string, help: string, value: (s: NonNullable<ReturnType<typeof read>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const state = read();
        if (state) this.set(value(state));
      },
    });
  gauge(
    "deletor_pacing_batch_size",
    "Rows a batch deletes at most, as pacing sets it now",
    (s) => s.batchSize,
  );
  gauge(
    "deletor_pacing_interval_seconds",
    "Least time between two batch starts (0: only the concurrency cap bounds the rate)",
    (s) => s.intervalMs / 1000,
  );
  gauge("deletor_pacing_held", "1 while a signal (replica lag, the brake) holds every new batch", (s) =>
    s.holds.length > 0 ? 1 : 0,
  );
  gauge("deletor_pacing_running_batches", "Batches running now", (s) => s.running);
  gauge("deletor_pacing_waiting_batches", "Batch steps waiting for their turn", (s) => s.waiting);
  const changes = new Counter({
    name: "deletor_pacing_changes_total",
    help: "Changes of pace, by cause (batch_time, push_back, recovered, signal)",
    labelNames: ["cause"] as const,
    registers: [registry],
  });
  return (change) => changes.inc({ cause: change.cause });
}
