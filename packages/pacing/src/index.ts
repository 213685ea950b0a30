export { type BatchSizeOptions, BatchSizer, type SizeChange } from "./batch-size.js";
export {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONCURRENT_BATCHES,
  DEFAULT_MAX_REPLICA_LAG_MS,
  DEFAULT_MIN_BATCH_SIZE,
  DEFAULT_SIGNAL_INTERVAL_MS,
  DEFAULT_TARGET_BATCH_MS,
  PACING_CHANGED,
  PACING_SIGNAL_FAILED,
  PACING_SIGNAL_RECOVERED,
  PACING_STARTED,
  PacingModeSchema,
} from "./config.js";
export {
  type BatchOutcome,
  type BatchSlot,
  DEFAULT_BACKOFF,
  type PacingCause,
  type PacingChange,
  PacingController,
  type PacingMode,
  type PacingOptions,
  type PacingState,
} from "./controller.js";
export { registerPacingMetrics } from "./pacing-metrics.js";
export { SignalPoller, type SignalPollerOptions } from "./signal-poller.js";
export {
  type HealthSignal,
  type PushBack,
  type PushBackClassifier,
  SIGNAL_OK,
  type SignalState,
} from "./signals.js";
