import type { Pool } from "pg";
import type { SignalReader, SignalReading } from "./health-signal.js";

export interface ReplicaLagOptions {
  /** Lag above this holds every batch until it falls back under it. */
  maxLagMs: number;
}

/**
 * Replay lag as the primary sees it, the largest over its streaming replicas, from
 * pg_stat_replication (needs pg_monitor or superuser to see the lag columns). replay_lag is
 * null when a standby has replayed everything and the primary is idle: no lag. It is measured
 * when the standby reports, so a standby that stops replaying shows it late; reading the
 * replica itself (replicaLagFromReplica) sees that at once.
 */
export function replicaLagFromPrimary(pool: Pool, options: ReplicaLagOptions): SignalReader {
  return {
    name: "replica_lag",
    async check() {
      const result = await pool.query<{ lag_ms: number | null; replicas: number }>(
        `SELECT (max(extract(epoch FROM replay_lag)) * 1000)::float8 AS lag_ms, count(*)::int AS replicas
           FROM pg_stat_replication`,
      );
      return judge(result.rows[0]?.lag_ms ?? null, options.maxLagMs, "primary");
    },
  };
}

/**
 * Replay lag read on a standby: how old the last replayed transaction is, while WAL it has
 * received is still waiting to be replayed (when both positions agree it is caught up: 0).
 */
export function replicaLagFromReplica(pool: Pool, options: ReplicaLagOptions): SignalReader {
  return {
    name: "replica_lag",
    async check() {
      const result = await pool.query<{ lag_ms: number | null; standby: boolean }>(
        `SELECT pg_is_in_recovery() AS standby,
                CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                     ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8
                END AS lag_ms`,
      );
      const row = result.rows[0];
      if (!row?.standby) throw new Error("the replica URL names a server that is not a standby");
      return judge(row.lag_ms, options.maxLagMs, "replica");
    },
  };
}

function judge(lagMs: number | null, maxLagMs: number, from: string): SignalReading {
  if (lagMs === null || lagMs <= maxLagMs) return { level: "ok" };
  return {
    level: "hold",
    reason: `replay lag ${Math.round(lagMs)} ms over ${maxLagMs} ms (read on the ${from})`,
  };
}
