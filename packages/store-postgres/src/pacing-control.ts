import type { Pool } from "pg";
import type { SignalReader } from "./health-signal.js";

/** The manual brake's default table, in the parent table's schema like the batch ledger. */
export const DEFAULT_CONTROL_TABLE = "deletion_pacing_control";

/**
 * The brake: one row that every worker reads on each signal tick, so one UPDATE pauses (or
 * resumes) deletion everywhere within a tick, with no restart, and says who and why.
 */
export function controlTableDdl(qualified: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified} (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  paused boolean NOT NULL DEFAULT false,
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
);`;
}

/**
 * Creates the table when missing. Unlike the ledger, the worker creates it itself when it may:
 * a brake that exists only after a migration is missing exactly when it is needed.
 */
export async function ensureControlTable(pool: Pool, qualified: string): Promise<void> {
  const exists = async () =>
    Boolean(
      (await pool.query<{ oid: string | null }>("SELECT to_regclass($1)::text AS oid", [qualified])).rows[0]
        ?.oid,
    );
  if (await exists()) return;
  try {
    await pool.query(controlTableDdl(qualified));
  } catch (error) {
    // Workers starting together: each saw no table and one CREATE won. IF NOT EXISTS does not
    // cover that race; the others fail on the catalogue's unique index (23505), as
    // duplicate_object (42710, its row type) or duplicate_table (42P07), and the table is there.
    const code = (error as { code?: string }).code;
    if ((code === "23505" || code === "42710" || code === "42P07") && (await exists())) return;
    throw error;
  }
}

/** Pulls (paused true) or releases the brake; what an operator's UPDATE does, for tests and tools. */
export async function setBrake(
  pool: Pool,
  qualified: string,
  paused: boolean,
  reason?: string,
): Promise<void> {
  await pool.query(
    `INSERT INTO ${qualified} (id, paused, reason, updated_at) VALUES (true, $1, $2, now())
     ON CONFLICT (id) DO UPDATE SET paused = EXCLUDED.paused, reason = EXCLUDED.reason, updated_at = now()`,
    [paused, reason ?? null],
  );
}

export function brakeSignal(pool: Pool, qualified: string): SignalReader {
  return {
    name: "brake",
    async check() {
      const result = await pool.query<{ paused: boolean; reason: string | null; updated_at: string }>(
        `SELECT paused, reason, to_json(updated_at) #>> '{}' AS updated_at FROM ${qualified} WHERE id`,
      );
      const row = result.rows[0];
      if (!row?.paused) return { level: "ok" };
      return {
        level: "hold",
        reason: `brake pulled at ${row.updated_at}${row.reason ? `: ${row.reason}` : ""}`,
      };
    },
  };
}
