export { DEFAULT_LEDGER_TABLE, ledgerDdl } from "./batch-ledger.js";
export * from "./catalogue.js";
export * from "./pg-errors.js";
export * from "./pool.js";
export * from "./postgres-store.js";
export * from "./seed.js";
export * from "./table-config.js";
