import { z } from "zod";

export const PacingModeSchema = z.enum(["adaptive", "fixed"]);

export const DEFAULT_TARGET_BATCH_MS = 250;
export const DEFAULT_MIN_BATCH_SIZE = 50;
/**
 * Adaptive pacing's default largest batch. The target batch time, not this bound, is what keeps a
 * batch short; measured (bench/results/foreground-latency.md), batches held to 500 rows one at a
 * time deleted at under half the unpaced rate.
 */
export const DEFAULT_MAX_BATCH_SIZE = 5_000;
/**
 * Adaptive pacing's default cap on a worker's concurrent batches: one, as GitLab's batched
 * migrations run one batch at a time. Measured (bench/results/foreground-latency.md): a cap of
 * the pool size (10) took the foreground p99 to over 3x its idle value on a 2-core database,
 * one batch at a time kept it within 2x while deleting at over half the unpaced rate.
 */
export const DEFAULT_MAX_CONCURRENT_BATCHES = 1;
/** gh-ost's default max-lag-millis. */
export const DEFAULT_MAX_REPLICA_LAG_MS = 1_500;
export const DEFAULT_SIGNAL_INTERVAL_MS = 1_000;
/** The worker's pacing at start (mode, batch size, cap). */
export const PACING_STARTED = "pacing_started";
/** Name of the log line of each change of pace (the `event` field). */
export const PACING_CHANGED = "pacing_changed";
/** A signal could not be read, or reads again. */
export const PACING_SIGNAL_FAILED = "pacing_signal_failed";
export const PACING_SIGNAL_RECOVERED = "pacing_signal_recovered";
