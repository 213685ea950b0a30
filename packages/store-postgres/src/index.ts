export { DEFAULT_LEDGER_TABLE } from "./batch-ledger.js";
export { describePgError, isTransient, toDeletionError } from "./pg-errors.js";
export { createPool } from "./pool.js";
export {
  connectPostgresStore,
  DEFAULT_BATCH_SIZE,
  DEFAULT_DELETED_AT_COLUMN,
  describeDatabase,
  openPostgresStore,
  PostgresRecordStore,
} from "./postgres-store.js";
export { createDemoSchema, type SeedOptions, type SeedProgress, seedDemoData } from "./seed.js";
export { DEMO_TABLES, IdentifierSchema, TableListSchema } from "./table-config.js";
