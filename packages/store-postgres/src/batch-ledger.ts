import type { PoolClient } from "pg";
import { quoteIdentifier } from "./catalogue.js";

/** The ledger's default name: a table of this store's own, in the parent table's schema. */
export const DEFAULT_LEDGER_TABLE = "deletion_batches";

/**
 * The ledger's table. One row per batch a deletion ran: written in the batch's own transaction,
 * so it exists exactly when the batch's deletes were committed. Creating it is a migration, run
 * once by whoever owns the schema (the seed command does it for the demo tables); the worker
 * needs SELECT and INSERT on it.
 */
export function ledgerDdl(qualified: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified} (
  record_id text NOT NULL,
  deletion_attempt integer NOT NULL,
  batch integer NOT NULL,
  rows_deleted integer NOT NULL,
  rows_remain boolean NOT NULL,
  step_attempt integer NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (record_id, deletion_attempt, batch)
);`;
}

/** What the ledger holds of one batch. */
export interface LedgerEntry {
  rowsDeleted: number;
  rowsRemain: boolean;
  /** The retry attempt of the step that deleted it. */
  stepAttempt: number;
  /** When its transaction committed the deletes (ISO-8601). */
  deletedAt: string;
}

export interface BatchKey {
  recordId: string;
  deletionAttempt: number;
  batch: number;
}

/**
 * Reads and writes the ledger inside a batch's transaction. A batch run again after its
 * checkpoint was lost (a crash between the commit and the checkpoint) finds its own entry and
 * reports what it did the first time instead of deleting the next rows: the record's totals
 * stay exact, and the completion it publishes again is the same, byte for byte.
 */
export class BatchLedger {
  private readonly findSql: string;
  private readonly writeSql: string;

  constructor(readonly qualifiedName: string) {
    this.findSql = `SELECT rows_deleted, rows_remain, step_attempt,
        to_json(deleted_at) #>> '{}' AS deleted_at
      FROM ${qualifiedName} WHERE record_id = $1 AND deletion_attempt = $2 AND batch = $3`;
    this.writeSql = `INSERT INTO ${qualifiedName}
        (record_id, deletion_attempt, batch, rows_deleted, rows_remain, step_attempt)
      VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING to_json(deleted_at) #>> '{}' AS deleted_at`;
  }

  async find(client: PoolClient, key: BatchKey): Promise<LedgerEntry | undefined> {
    const found = await client.query<{
      rows_deleted: number;
      rows_remain: boolean;
      step_attempt: number;
      deleted_at: string;
    }>(this.findSql, [key.recordId, key.deletionAttempt, key.batch]);
    const row = found.rows[0];
    return row
      ? {
          rowsDeleted: row.rows_deleted,
          rowsRemain: row.rows_remain,
          stepAttempt: row.step_attempt,
          deletedAt: row.deleted_at,
        }
      : undefined;
  }

  /** Records the batch; the returned time is the transaction's, which its commit makes true. */
  async write(
    client: PoolClient,
    key: BatchKey,
    entry: Omit<LedgerEntry, "deletedAt">,
  ): Promise<LedgerEntry> {
    const written = await client.query<{ deleted_at: string }>(this.writeSql, [
      key.recordId,
      key.deletionAttempt,
      key.batch,
      entry.rowsDeleted,
      entry.rowsRemain,
      entry.stepAttempt,
    ]);
    return { ...entry, deletedAt: String(written.rows[0]?.deleted_at) };
  }
}

export function ledgerName(schema: string | undefined, table: string): string {
  return `${schema ? `${quoteIdentifier(schema)}.` : ""}${quoteIdentifier(table)}`;
}
