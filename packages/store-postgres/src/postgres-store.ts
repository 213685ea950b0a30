import type { BatchContext, BatchResult, RecordStore, SoftDeleteResult } from "@deletion/record-store";
import type { Pool, PoolClient } from "pg";
import {
  type BatchKey,
  BatchLedger,
  DEFAULT_LEDGER_TABLE,
  type LedgerEntry,
  ledgerName,
} from "./batch-ledger.js";
import {
  type CatalogueProblem,
  checkCatalogue,
  checkLedger,
  qualifiedName,
  quoteIdentifier,
} from "./catalogue.js";
import { toDeletionError } from "./pg-errors.js";
import { createPool } from "./pool.js";
import { describeTarget, type TableTarget } from "./table-config.js";

export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_DELETED_AT_COLUMN = "deleted_at";

export interface PostgresStoreOptions {
  pool: Pool;
  /** Children first; the last is the parent, which holds the soft-delete flag and goes last. */
  tables: readonly TableTarget[];
  /** At most this many rows are deleted by one deleteBatch call, over all tables together. */
  batchSize?: number;
  /** Timestamp column on the parent that markDeleted sets; null: no soft delete. */
  deletedAtColumn?: string | null;
  /** Only inspect() will be used: the catalogue check does not ask for DELETE/UPDATE rights. */
  readOnly?: boolean;
  /** The batch ledger's table, in the parent's schema (batch-ledger.ts); default deletion_batches. */
  ledgerTable?: string;
}

export type OpenStoreResult =
  | { ok: true; store: PostgresRecordStore; warnings: string[] }
  | { ok: false; problem: CatalogueProblem };

/** What is left of a record, for the status command. */
export interface RecordRows {
  /** When markDeleted flagged it (ISO-8601); null when not flagged or the parent row is gone. */
  deletedAt: string | null;
  parentPresent: boolean;
  /** Rows still holding the record id, per configured table, in deletion order. */
  remaining: { table: string; rows: number }[];
}

/**
 * Checks the tables against the catalogue, then returns the store; a table or column that is
 * not there is a value naming it, for the worker to report and exit 2 on.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<OpenStoreResult> {
  const deletedAtColumn =
    options.deletedAtColumn === undefined ? DEFAULT_DELETED_AT_COLUMN : options.deletedAtColumn;
  const checked = await checkCatalogue(options.pool, options.tables, deletedAtColumn, options.readOnly);
  if (!checked.ok) return checked;
  if (!options.readOnly) {
    const ledger = await checkLedger(options.pool, ledgerOf(options));
    if (!ledger.ok) return ledger;
  }
  return { ok: true, store: new PostgresRecordStore(options), warnings: checked.warnings };
}

interface TableSql {
  name: string;
  /** Deletes up to $2 rows holding record id $1. */
  deleteSome: string;
  exists: string;
  count: string;
}

/**
 * Deletes a record's rows table by table, children before the parent, at most `batchSize`
 * rows per call, in one short transaction. Nothing is remembered between calls:
 * each call starts from what is in the database, so running one again after a crash at any
 * point (or two at once) deletes what is left and nothing else.
 *
 * Construct it through openPostgresStore: the table and column names are only ever used after
 * the catalogue check, and always quoted.
 */
export class PostgresRecordStore implements RecordStore {
  private readonly pool: Pool;
  private readonly batchSize: number;
  private readonly tables: TableSql[];
  private readonly markSql: string | undefined;
  private readonly parentSql: string;
  private readonly ledger: BatchLedger;

  constructor(options: PostgresStoreOptions) {
    if (options.tables.length === 0) throw new RangeError("name at least one table");
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    this.pool = options.pool;
    this.batchSize = batchSize;
    this.tables = options.tables.map((target) => {
      const table = qualifiedName(target);
      const column = quoteIdentifier(target.column);
      return {
        name: describeTarget(target),
        // ctid = ANY(ARRAY(...)) rather than ctid IN (SELECT ...): the planner turns the array
        // form into a TID scan, where IN may become a join that reads the whole table.
        deleteSome: `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${column} = $1 LIMIT $2))`,
        exists: `SELECT EXISTS (SELECT 1 FROM ${table} WHERE ${column} = $1) AS found`,
        count: `SELECT count(*)::bigint AS n FROM ${table} WHERE ${column} = $1`,
      };
    });
    this.ledger = new BatchLedger(ledgerOf(options));
    const parent = options.tables[options.tables.length - 1] as TableTarget;
    const parentTable = qualifiedName(parent);
    const idColumn = quoteIdentifier(parent.column);
    const deletedAt =
      options.deletedAtColumn === undefined ? DEFAULT_DELETED_AT_COLUMN : options.deletedAtColumn;
    this.markSql =
      deletedAt === null
        ? undefined
        : `UPDATE ${parentTable} SET ${quoteIdentifier(deletedAt)} = now() WHERE ${idColumn} = $1 AND ${quoteIdentifier(deletedAt)} IS NULL`;
    this.parentSql =
      deletedAt === null
        ? `SELECT NULL::text AS deleted_at FROM ${parentTable} WHERE ${idColumn} = $1 LIMIT 1`
        : `SELECT to_json(${quoteIdentifier(deletedAt)}) #>> '{}' AS deleted_at FROM ${parentTable} WHERE ${idColumn} = $1 LIMIT 1`;
  }

  /**
   * The soft delete: one UPDATE of the parent row, so readers that filter on the flag see the
   * record gone at once. A second call (a replay, a duplicate) changes nothing; a record with no
   * parent row marks nothing.
   */
  async markDeleted(recordId: string): Promise<SoftDeleteResult> {
    if (!this.markSql) return { rowsMarked: 0 };
    try {
      const result = await this.pool.query(this.markSql, [recordId]);
      return { rowsMarked: result.rowCount ?? 0 };
    } catch (error) {
      throw toDeletionError(error, `marking ${recordId} deleted`);
    }
  }

  /**
   * One batch, all its tables and its ledger entry in one transaction: either every row it
   * counts is gone and recorded, or nothing happened. A connection lost between two tables rolls
   * the whole batch back, so the retry deletes and counts those rows again instead of leaving
   * them deleted uncounted; a batch that already committed (run again after a crash) is answered
   * from the ledger and deletes nothing more.
   */
  async deleteBatch(recordId: string, context: BatchContext): Promise<BatchResult> {
    const key: BatchKey = { recordId, deletionAttempt: context.deletionAttempt, batch: context.batch };
    try {
      return await this.deleteOnce(key, context.attempt, context.limit);
    } catch (error) {
      // Two runs of the same batch at once (a duplicate that raced): the one that lost the race
      // rolled back, and now finds the other's entry.
      if ((error as { code?: unknown }).code === "23505")
        return this.deleteOnce(key, context.attempt, context.limit);
      throw error;
    }
  }

  private async deleteOnce(key: BatchKey, attempt: number, limit?: number): Promise<BatchResult> {
    let current = "";
    let client: PoolClient | undefined;
    let failed: unknown;
    try {
      client = await this.pool.connect();
      // A checked-out client has no "error" listener of the pool's: a connection lost mid-batch
      // would throw from the event, though the statement under way already rejects with it.
      client.on("error", ignoreConnectionError);
      await client.query("BEGIN");
      const earlier = await this.ledger.find(client, key);
      if (earlier) {
        await client.query("COMMIT");
        return fromLedger(earlier);
      }
      const result = await this.deleteWithin(client, key.recordId, limit ?? this.batchSize, (name) => {
        current = name;
      });
      const entry = await this.ledger.write(client, key, { ...result, stepAttempt: attempt });
      await client.query("COMMIT");
      return fromLedger(entry);
    } catch (error) {
      failed = error;
      // A rollback that fails too means the connection is gone: the server rolls back itself.
      await client?.query("ROLLBACK").catch(() => {});
      if ((error as { code?: unknown }).code === "23505") throw error;
      throw toDeletionError(error, `deleting a batch of ${key.recordId}${current ? ` from ${current}` : ""}`);
    } finally {
      client?.removeListener("error", ignoreConnectionError);
      // A connection that failed is not handed to the next batch.
      client?.release(
        failed instanceof Error && (failed as { code?: unknown }).code !== "23505" ? failed : undefined,
      );
    }
  }

  private async deleteWithin(
    client: PoolClient,
    recordId: string,
    batchSize: number,
    entering: (table: string) => void,
  ): Promise<BatchResult> {
    let budget = batchSize;
    let rowsDeleted = 0;
    for (const [index, table] of this.tables.entries()) {
      entering(table.name);
      const result = await client.query(table.deleteSome, [recordId, budget]);
      const deleted = result.rowCount ?? 0;
      rowsDeleted += deleted;
      budget -= deleted;
      if (budget === 0) return { rowsDeleted, rowsRemain: await this.anyLeft(client, recordId, index) };
      // Fewer than asked: the table is done for this record, unless a concurrent deletion of
      // the same record held some rows. The next table (a parent) must wait for this one.
      if (await this.existsIn(client, table, recordId)) return { rowsDeleted, rowsRemain: true };
    }
    return { rowsDeleted, rowsRemain: false };
  }

  /** What is left of a record: its soft-delete flag and the rows per table. */
  async inspect(recordId: string): Promise<RecordRows> {
    const parent = await this.pool.query<{ deleted_at: string | null }>(this.parentSql, [recordId]);
    const remaining: RecordRows["remaining"] = [];
    for (const table of this.tables) {
      const counted = await this.pool.query<{ n: string }>(table.count, [recordId]);
      remaining.push({ table: table.name, rows: Number(counted.rows[0]?.n ?? 0) });
    }
    const row = parent.rows[0];
    return { deletedAt: row?.deleted_at ?? null, parentPresent: row !== undefined, remaining };
  }

  private async anyLeft(client: PoolClient, recordId: string, from: number): Promise<boolean> {
    for (const table of this.tables.slice(from)) {
      if (await this.existsIn(client, table, recordId)) return true;
    }
    return false;
  }

  private async existsIn(client: PoolClient, table: TableSql, recordId: string): Promise<boolean> {
    const result = await client.query<{ found: boolean }>(table.exists, [recordId]);
    return result.rows[0]?.found === true;
  }
}

/** See deleteOnce: the failure reaches the batch through its statement's rejection. */
function ignoreConnectionError(): void {}

function fromLedger(entry: LedgerEntry): BatchResult {
  return {
    rowsDeleted: entry.rowsDeleted,
    rowsRemain: entry.rowsRemain,
    recorded: { attempt: entry.stepAttempt, at: entry.deletedAt },
  };
}

/** The ledger table's quoted name: in the parent's schema, under the configured name. */
function ledgerOf(options: PostgresStoreOptions): string {
  const parent = options.tables[options.tables.length - 1];
  return ledgerName(parent?.schema, options.ledgerTable ?? DEFAULT_LEDGER_TABLE);
}

export interface ConnectOptions extends Omit<PostgresStoreOptions, "pool"> {
  databaseUrl: string;
  /** Pool size; default 10. */
  maxConnections?: number;
  /** How the connections name themselves in pg_stat_activity; default "deletor-worker". */
  applicationName?: string;
  onIdleError?: (error: Error) => void;
}

export type ConnectResult =
  | { ok: true; store: PostgresRecordStore; warnings: string[]; close(): Promise<void> }
  | { ok: false; problem: CatalogueProblem };

/** A pool and a checked store over it; on a problem the pool is closed again. */
export async function connectPostgresStore(options: ConnectOptions): Promise<ConnectResult> {
  const pool = createPool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    applicationName: options.applicationName ?? "deletor-worker",
    onIdleError: options.onIdleError,
  });
  const opened = await openPostgresStore({ ...options, pool });
  if (!opened.ok) {
    await pool.end().catch(() => {});
    return opened;
  }
  return { ...opened, close: () => pool.end() };
}

/** host:port/database of a connection URL, without its credentials, for logs. */
export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}
