import type { Logger } from "@deletion/cli-kit";
import { EXIT_USAGE } from "@deletion/cli-kit";
import { LOG_EVENTS } from "@deletion/contracts";
import { type RecordStore, SimulatedRecordStore } from "@deletion/record-store";
import { connectPostgresStore, describeDatabase, type PostgresRecordStore } from "@deletion/store-postgres";
import type { WorkerConfig } from "./config.js";

export type OpenedStore =
  | { ok: true; store: RecordStore; postgres?: PostgresRecordStore; close(): Promise<void> }
  | { ok: false; exitCode: number; message: string };

/**
 * The store the configuration names. The postgres one is checked against the database's
 * catalogue here, before any message is read: a table or column that is not there is bad
 * configuration (exit 2, naming it); a database that cannot be reached is exit 1.
 */
export async function openRecordStore(config: WorkerConfig, logger: Logger): Promise<OpenedStore> {
  if (config.store === "simulated") {
    const store = new SimulatedRecordStore({
      transientErrorRate: config.simErrorRate,
      finishRate: config.simFinishRate,
      ...(config.simSeed !== undefined ? { seed: config.simSeed } : {}),
      fixedBatches: config.simFixedBatches,
      failFirstAttempt: config.simFailIds,
    });
    return { ok: true, store, close: async () => {} };
  }
  if (!config.databaseUrl) {
    return {
      ok: false,
      exitCode: EXIT_USAGE,
      message: "--store postgres needs --database-url / DATABASE_URL",
    };
  }
  const database = describeDatabase(config.databaseUrl);
  const opened = await connectPostgresStore({
    databaseUrl: config.databaseUrl,
    tables: config.tables,
    batchSize: config.deleteBatchSize,
    deletedAtColumn: config.deletedAtColumn,
    ledgerTable: config.ledgerTable,
    onIdleError: (error) =>
      logger.warn(
        { event: LOG_EVENTS.databaseConnectionLost, database, err: error.message },
        "idle database connection failed",
      ),
  });
  if (!opened.ok) {
    const { code, target, message } = opened.problem;
    logger.error({ event: LOG_EVENTS.storeTablesInvalid, database, code, target }, message);
    return {
      ok: false,
      exitCode: code === "unreachable" ? 1 : EXIT_USAGE,
      message: `${code === "unreachable" ? "database" : `table ${target}`}: ${message} (database ${database})`,
    };
  }
  for (const warning of opened.warnings)
    logger.warn({ event: LOG_EVENTS.storeTablesChecked, database }, warning);
  logger.info(
    {
      event: LOG_EVENTS.storeTablesChecked,
      database,
      tables: config.tables.map((t) => `${t.table}:${t.column}`),
      batchSize: config.deleteBatchSize,
      deletedAtColumn: config.deletedAtColumn,
    },
    "postgres store: tables checked",
  );
  return { ok: true, store: opened.store, postgres: opened.store, close: opened.close };
}
