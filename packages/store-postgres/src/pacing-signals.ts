import type { Pool } from "pg";
import { autovacuumSignal } from "./autovacuum.js";
import { ledgerName } from "./batch-ledger.js";
import { qualifiedName } from "./catalogue.js";
import type { SignalReader } from "./health-signal.js";
import { lockWaitSignal } from "./lock-waits.js";
import { brakeSignal, ensureControlTable } from "./pacing-control.js";
import { replicaLagFromPrimary, replicaLagFromReplica } from "./replica-lag.js";
import type { TableTarget } from "./table-config.js";

export interface PacingSignalOptions {
  /** A pool of its own (one or two connections), so a signal read never queues behind batches. */
  pool: Pool;
  /** The store's tables, as configured (the parent last). */
  tables: readonly TableTarget[];
  /** Where replay lag is read: the primary's pg_stat_replication, a standby's own view, or nowhere. */
  replicaLag?: { from: "primary" } | { from: "replica"; pool: Pool } | undefined;
  maxReplicaLagMs: number;
  autovacuum: boolean;
  /** Sessions waiting for locks on the target tables above which the pace slows; undefined: not read. */
  maxLockWaits?: number | undefined;
  /** The brake's table name, in the parent's schema; null: no brake. */
  controlTable: string | null;
}

/** The readers the configuration names; creates the brake's table when it is missing. */
export async function pacingSignals(options: PacingSignalOptions): Promise<SignalReader[]> {
  const targets = options.tables.map(qualifiedName);
  const readers: SignalReader[] = [];
  if (options.controlTable !== null) {
    const table = controlTableName(options.tables, options.controlTable);
    await ensureControlTable(options.pool, table);
    readers.push(brakeSignal(options.pool, table));
  }
  const lag = { maxLagMs: options.maxReplicaLagMs };
  if (options.replicaLag?.from === "primary") readers.push(replicaLagFromPrimary(options.pool, lag));
  if (options.replicaLag?.from === "replica")
    readers.push(replicaLagFromReplica(options.replicaLag.pool, lag));
  if (options.autovacuum) readers.push(autovacuumSignal(options.pool, targets));
  if (options.maxLockWaits !== undefined)
    readers.push(lockWaitSignal(options.pool, targets, options.maxLockWaits));
  return readers;
}

/** The brake's quoted table name: in the parent's schema, like the ledger. */
export function controlTableName(tables: readonly TableTarget[], table: string): string {
  return ledgerName(tables[tables.length - 1]?.schema, table);
}
