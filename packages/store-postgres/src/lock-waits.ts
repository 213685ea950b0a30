import type { Pool } from "pg";
import type { SignalReader } from "./health-signal.js";

/**
 * Slows the pace while more than `maxWaiting` sessions wait for a lock on a target table
 * (pg_locks, not granted): deletes and the application queue behind each other there.
 * `tables` are quoted qualified names.
 */
export function lockWaitSignal(pool: Pool, tables: readonly string[], maxWaiting: number): SignalReader {
  return {
    name: "lock_waits",
    async check() {
      const result = await pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks
          WHERE NOT granted AND relation = ANY(SELECT to_regclass(t) FROM unnest($1::text[]) AS t)`,
        [tables],
      );
      const waiting = result.rows[0]?.waiting ?? 0;
      if (waiting <= maxWaiting) return { level: "ok" };
      return {
        level: "slow",
        reason: `${waiting} sessions wait for locks on the target tables (over ${maxWaiting})`,
      };
    },
  };
}
