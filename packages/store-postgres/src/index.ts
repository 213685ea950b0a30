export { autovacuumSignal } from "./autovacuum.js";
export { DEFAULT_LEDGER_TABLE } from "./batch-ledger.js";
export type { SignalReader, SignalReading } from "./health-signal.js";
export { lockWaitSignal } from "./lock-waits.js";
export {
  brakeSignal,
  controlTableDdl,
  DEFAULT_CONTROL_TABLE,
  ensureControlTable,
  setBrake,
} from "./pacing-control.js";
export { classifyPushBack, type PushBackKind } from "./pacing-errors.js";
export { controlTableName, type PacingSignalOptions, pacingSignals } from "./pacing-signals.js";
export { describePgError, isTransient, toDeletionError } from "./pg-errors.js";
export { createPool } from "./pool.js";
export {
  type BulkSelectionOptions,
  type OpenBulkSelectionResult,
  openBulkSelection,
  PostgresBulkSelection,
} from "./postgres-bulk-selection.js";
export {
  connectPostgresStore,
  DEFAULT_BATCH_SIZE,
  DEFAULT_DELETED_AT_COLUMN,
  describeDatabase,
  openPostgresStore,
  PostgresRecordStore,
} from "./postgres-store.js";
export { replicaLagFromPrimary, replicaLagFromReplica } from "./replica-lag.js";
export {
  createDemoSchema,
  type SeedOptions,
  type SeedProgress,
  seedDemoData,
  sequentialId,
  tenantFor,
} from "./seed.js";
export { SelectorListSchema, type SelectorTarget } from "./selector-config.js";
export { DEMO_TABLES, IdentifierSchema, TableListSchema } from "./table-config.js";
