/** What a health signal says now: go on, slow down, or hold every new batch. */
export type SignalState = { level: "ok" } | { level: "slow" | "hold"; reason: string };

export const SIGNAL_OK: SignalState = { level: "ok" };

/** One source of health (replica lag, autovacuum, lock waits, the manual brake), read on a timer. */
export interface HealthSignal {
  /** Named in config and in every log line it causes, e.g. "replica_lag". */
  readonly name: string;
  check(): Promise<SignalState>;
}

/** Why a batch failed, as far as pacing cares: the database pushing back, or anything else. */
export type PushBack = "lock_timeout" | "statement_timeout" | "serialization" | "deadlock";

export type PushBackClassifier = (error: unknown) => PushBack | undefined;
