import {
  type BulkSelection,
  type BulkSelectionStore,
  type IdPage,
  type RestResult,
  type SoftDeleteBatchResult,
  selectionProblem,
  UnknownSelectorError,
} from "@deletion/record-store";
import type { Pool } from "pg";
import { type CatalogueProblem, checkCatalogue, qualifiedName, quoteIdentifier } from "./catalogue.js";
import { toDeletionError } from "./pg-errors.js";
import { DEFAULT_DELETED_AT_COLUMN } from "./postgres-store.js";
import type { SelectorTarget } from "./selector-config.js";
import type { TableTarget } from "./table-config.js";

export interface BulkSelectionOptions {
  pool: Pool;
  /** The configured tables; the last is the parent the selection and the flag live on. */
  tables: readonly TableTarget[];
  selectors: readonly SelectorTarget[];
  deletedAtColumn?: string | null;
}

export type OpenBulkSelectionResult =
  | { ok: true; selection: PostgresBulkSelection; warnings: string[] }
  | { ok: false; problem: CatalogueProblem };

/**
 * Checks every selector's column against the catalogue (on the parent table, like --tables is
 * checked), then returns the bulk side of the store; an unknown table or column is a value
 * naming it, for the worker to report and exit 2 on.
 */
export async function openBulkSelection(options: BulkSelectionOptions): Promise<OpenBulkSelectionResult> {
  const parent = options.tables[options.tables.length - 1];
  if (!parent) throw new RangeError("name at least one table");
  const warnings: string[] = [];
  for (const selector of options.selectors) {
    const target = `${selector.name}=${selector.table}.${selector.column}`;
    if (selector.table !== parent.table) {
      return {
        ok: false,
        problem: {
          code: "missing_table",
          target,
          message: `selector ${selector.name} must name a column of the parent table ${parent.table} (the last of the tables), not ${selector.table}`,
        },
      };
    }
    const checked = await checkCatalogue(
      options.pool,
      [{ ...(parent.schema ? { schema: parent.schema } : {}), table: parent.table, column: selector.column }],
      null,
      true,
    );
    if (!checked.ok) return { ok: false, problem: { ...checked.problem, target } };
    warnings.push(...checked.warnings);
  }
  return { ok: true, selection: new PostgresBulkSelection(options), warnings };
}

/**
 * Selections over the parent table in keyset order of its record-id column: each statement
 * touches at most one batch (no long transaction), and the cursor is the last id seen. Column
 * names come from the checked configuration and are quoted; a message's values only ever
 * reach the database as parameters.
 */
export class PostgresBulkSelection implements BulkSelectionStore {
  private readonly pool: Pool;
  private readonly parent: string;
  private readonly id: string;
  private readonly flag: string | null;
  private readonly columns: Map<string, string>;
  private readonly configured: Map<string, readonly string[]>;

  constructor(options: BulkSelectionOptions) {
    const parent = options.tables[options.tables.length - 1] as TableTarget;
    this.pool = options.pool;
    this.parent = qualifiedName(parent);
    this.id = quoteIdentifier(parent.column);
    const flag = options.deletedAtColumn === undefined ? DEFAULT_DELETED_AT_COLUMN : options.deletedAtColumn;
    this.flag = flag === null ? null : quoteIdentifier(flag);
    this.columns = new Map(options.selectors.map((s) => [s.name, quoteIdentifier(s.column)]));
    this.configured = new Map(options.selectors.map((s) => [s.name, [s.name]]));
  }

  selectors(): ReadonlyMap<string, readonly string[]> {
    return this.configured;
  }

  async softDeleteBatch(
    selection: BulkSelection,
    after: string | null,
    limit: number,
  ): Promise<SoftDeleteBatchResult> {
    const where = this.where(selection);
    const mark = this.flag
      ? `UPDATE ${this.parent} AS t SET ${this.flag} = now() FROM page WHERE t.${this.id} = page.id AND t.${this.flag} IS NULL RETURNING 1`
      : "SELECT 1 WHERE false";
    const sql = `WITH page AS (
        SELECT ${this.id} AS id FROM ${this.parent}
         WHERE ${where.sql} AND ($2::text IS NULL OR ${this.id} > $2) ORDER BY ${this.id} LIMIT $3
      ), marked AS (${mark})
      SELECT (SELECT count(*) FROM page)::int AS matched, (SELECT count(*) FROM marked)::int AS marked,
             (SELECT max(id)::text FROM page) AS last`;
    const row = await this.query<{ matched: number; marked: number; last: string | null }>(
      sql,
      [where.value, after, limit],
      "soft deleting a batch of a bulk selection",
    );
    return { matched: row.matched, marked: row.marked, last: row.matched < limit ? null : row.last };
  }

  async pageIds(selection: BulkSelection, after: string | null, limit: number): Promise<IdPage> {
    const where = this.where(selection);
    try {
      const result = await this.pool.query<{ id: string }>(
        `SELECT ${this.id}::text AS id FROM ${this.parent}
          WHERE ${where.sql} AND ($2::text IS NULL OR ${this.id} > $2) ORDER BY ${this.id} LIMIT $3`,
        [where.value, after, limit],
      );
      const ids = result.rows.map((r) => r.id);
      return { ids, last: ids.length < limit ? null : (ids[ids.length - 1] ?? null) };
    } catch (error) {
      throw toDeletionError(error, "paging a bulk selection");
    }
  }

  async rest(selection: BulkSelection, after: string | null, restore: boolean): Promise<RestResult> {
    const where = this.where(selection);
    const clear = this.flag
      ? `UPDATE ${this.parent} AS t SET ${this.flag} = NULL FROM rest WHERE $3::boolean AND t.${this.id} = rest.id AND t.${this.flag} IS NOT NULL RETURNING 1`
      : "SELECT 1 WHERE false AND $3::boolean";
    const row = await this.query<{ not_requested: number; restored: number }>(
      `WITH rest AS (
         SELECT ${this.id} AS id FROM ${this.parent} WHERE ${where.sql} AND ($2::text IS NULL OR ${this.id} > $2)
       ), restored AS (${clear})
       SELECT (SELECT count(*) FROM rest)::int AS not_requested, (SELECT count(*) FROM restored)::int AS restored`,
      [where.value, after, restore],
      "counting the rest of a bulk selection",
    );
    return { notRequested: row.not_requested, restored: row.restored };
  }

  /** The selection's condition on parameter $1: a configured column, or the id list. */
  private where(selection: BulkSelection): { sql: string; value: unknown } {
    const problem = selectionProblem(selection, this.configured);
    if (problem) throw new UnknownSelectorError(problem);
    if (selection.kind === "ids")
      return { sql: `${this.id}::text = ANY($1::text[])`, value: [...selection.ids] };
    const column = this.columns.get(selection.selector) as string;
    return { sql: `${column}::text = $1::text`, value: selection.params[selection.selector] };
  }

  private async query<R>(sql: string, params: unknown[], what: string): Promise<R> {
    try {
      const result = await this.pool.query(sql, params);
      return result.rows[0] as R;
    } catch (error) {
      throw toDeletionError(error, what);
    }
  }
}
