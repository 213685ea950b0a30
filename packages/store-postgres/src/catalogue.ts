import type { Pool } from "pg";
import { ledgerDdl } from "./batch-ledger.js";
import { describePgError } from "./pg-errors.js";
import { describeTarget, type TableTarget } from "./table-config.js";

/** Why a configured table cannot be used; `target` names it as the configuration did. */
export interface CatalogueProblem {
  code: "missing_table" | "not_a_table" | "missing_column" | "no_privilege" | "unreachable";
  target: string;
  message: string;
}

export type CatalogueCheck = { ok: true; warnings: string[] } | { ok: false; problem: CatalogueProblem };

/** "schema"."table", quoted so that no name can end the identifier (names are validated too). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(target: TableTarget): string {
  return `${target.schema ? `${quoteIdentifier(target.schema)}.` : ""}${quoteIdentifier(target.table)}`;
}

interface RelationRow {
  oid: number | null;
  relkind: string | null;
  can_delete: boolean | null;
  can_update: boolean | null;
}

interface ColumnRow {
  attnum: number;
  type: string;
  indexed: boolean;
}

/**
 * Checks the configured tables against the catalogue before any message is read: each exists
 * (in the connection's search path when no schema is named), is a table, has the record-id
 * column, and can be deleted from; the parent (last) has the soft-delete column and can be
 * updated. Names reach the server only as values here (to_regclass takes text). An unindexed
 * record-id column is a warning: every batch would scan the whole table.
 */
export async function checkCatalogue(
  pool: Pool,
  tables: readonly TableTarget[],
  deletedAtColumn: string | null,
  /** Only reading (the status command): DELETE and UPDATE privileges are not needed. */
  readOnly = false,
): Promise<CatalogueCheck> {
  try {
    return await check(pool, tables, deletedAtColumn, readOnly);
  } catch (error) {
    const first = tables[0] ? describeTarget(tables[0]) : "(no table)";
    return problem("unreachable", first, `could not read the catalogue: ${describePgError(error)}`);
  }
}

async function check(
  pool: Pool,
  tables: readonly TableTarget[],
  deletedAtColumn: string | null,
  /** Only reading (the status command): DELETE and UPDATE privileges are not needed. */
  readOnly = false,
): Promise<CatalogueCheck> {
  const warnings: string[] = [];
  for (const [index, target] of tables.entries()) {
    const name = describeTarget(target);
    const isParent = index === tables.length - 1;
    const found = await pool.query<RelationRow>(
      `SELECT c.oid::int AS oid, c.relkind::text AS relkind,
                has_table_privilege(c.oid, 'DELETE') AS can_delete,
                has_table_privilege(c.oid, 'UPDATE') AS can_update
           FROM (SELECT to_regclass($1) AS oid) r
           LEFT JOIN pg_catalog.pg_class c ON c.oid = r.oid`,
      [qualifiedName(target)],
    );
    const relation = found.rows[0];
    if (!relation?.oid) return problem("missing_table", name, `table ${tableText(target)} does not exist`);
    if (relation.relkind !== "r" && relation.relkind !== "p") {
      return problem(
        "not_a_table",
        name,
        `${tableText(target)} is not a table (relkind ${relation.relkind})`,
      );
    }
    if (!readOnly && !relation.can_delete) {
      return problem("no_privilege", name, `this database user may not DELETE from ${tableText(target)}`);
    }
    const column = await columnOf(pool, relation.oid, target.column);
    if (!column) {
      return problem("missing_column", name, `table ${tableText(target)} has no column ${target.column}`);
    }
    if (!column.indexed) {
      warnings.push(
        `no index leads with ${target.table}.${target.column}: every batch scans the whole table`,
      );
    }
    if (isParent && deletedAtColumn !== null) {
      const flag = await columnOf(pool, relation.oid, deletedAtColumn);
      if (!flag) {
        return problem(
          "missing_column",
          `${target.table}.${deletedAtColumn}`,
          `table ${tableText(target)} (the parent, last in the list) has no soft-delete column ${deletedAtColumn}`,
        );
      }
      if (!/^timestamp/.test(flag.type)) {
        return problem(
          "missing_column",
          `${target.table}.${deletedAtColumn}`,
          `soft-delete column ${target.table}.${deletedAtColumn} is ${flag.type}, not a timestamp`,
        );
      }
      if (!readOnly && !relation.can_update) {
        return problem("no_privilege", name, `this database user may not UPDATE ${tableText(target)}`);
      }
    }
  }
  return { ok: true, warnings };
}

async function columnOf(pool: Pool, oid: number, column: string): Promise<ColumnRow | undefined> {
  const found = await pool.query<ColumnRow>(
    `SELECT a.attnum::int AS attnum, format_type(a.atttypid, a.atttypmod) AS type,
            EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                     WHERE i.indrelid = a.attrelid AND i.indkey[0] = a.attnum) AS indexed
       FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid, column],
  );
  return found.rows[0];
}

function tableText(target: TableTarget): string {
  return `${target.schema ? `${target.schema}.` : ""}${target.table}`;
}

function problem(code: CatalogueProblem["code"], target: string, message: string): CatalogueCheck {
  return { ok: false, problem: { code, target, message } };
}

/**
 * The batch ledger (batch-ledger.ts) exists and this user may read and add to it. Its DDL comes
 * with the message, since creating it is the one migration this store needs.
 */
export async function checkLedger(pool: Pool, qualified: string): Promise<CatalogueCheck> {
  try {
    const found = await pool.query<{
      oid: number | null;
      can_insert: boolean | null;
      can_select: boolean | null;
    }>(
      `SELECT c.oid::int AS oid,
              has_table_privilege(c.oid, 'INSERT') AS can_insert,
              has_table_privilege(c.oid, 'SELECT') AS can_select
         FROM (SELECT to_regclass($1) AS oid) r
         LEFT JOIN pg_catalog.pg_class c ON c.oid = r.oid`,
      [qualified],
    );
    const row = found.rows[0];
    if (!row?.oid) {
      return problem(
        "missing_table",
        qualified,
        `the batch ledger ${qualified} does not exist; create it once (the seed command does for the demo tables):\n${ledgerDdl(qualified)}`,
      );
    }
    if (!row.can_insert || !row.can_select) {
      return problem(
        "no_privilege",
        qualified,
        `this database user may not SELECT from and INSERT into ${qualified}`,
      );
    }
    return { ok: true, warnings: [] };
  } catch (error) {
    return problem("unreachable", qualified, `could not read the catalogue: ${describePgError(error)}`);
  }
}
