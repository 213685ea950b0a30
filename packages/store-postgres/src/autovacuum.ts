import type { Pool } from "pg";
import type { SignalReader } from "./health-signal.js";

/**
 * Slows the pace while a vacuum works on one of the target tables, from
 * pg_stat_progress_vacuum: autovacuum clears the dead rows the deletes leave, and batches
 * that keep pace with it only make its work longer. A manual VACUUM counts too.
 *
 * `tables` are quoted qualified names (as the catalogue check produced them).
 */
export function autovacuumSignal(pool: Pool, tables: readonly string[]): SignalReader {
  return {
    name: "autovacuum",
    async check() {
      const result = await pool.query<{ relation: string; backend_type: string | null }>(
        `SELECT p.relid::regclass::text AS relation, a.backend_type
           FROM pg_stat_progress_vacuum p
           LEFT JOIN pg_stat_activity a ON a.pid = p.pid
          WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND p.relid = ANY(SELECT to_regclass(t) FROM unnest($1::text[]) AS t)`,
        [tables],
      );
      if (result.rows.length === 0) return { level: "ok" };
      const what = result.rows.map(
        (r) => `${r.backend_type === "autovacuum worker" ? "autovacuum" : "vacuum"} on ${r.relation}`,
      );
      return { level: "slow", reason: [...new Set(what)].join(", ") };
    },
  };
}
