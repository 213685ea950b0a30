import type { Durability } from "@deletion/resonate-client";

/**
 * Where the durable promises live decides when a record is safe to commit and what the worker
 * must do about it. Every such decision is a field here, so no other code asks which mode it is.
 */
export interface DurabilityStrategy {
  readonly name: Durability;
  /** Safe once the record's durable promise exists: the server owns the work from then on. */
  readonly markSafeOnStart: boolean;
  /** Safe only once the record's workflow ended: its promise dies with this process. */
  readonly markSafeOnFinish: boolean;
  /**
   * Shutdown gives running workflows time to finish: each one that does is not redelivered and
   * run again by the next worker.
   */
  readonly waitForRunningOnShutdown: boolean;
  /**
   * Each worker keeps its own promises, so a record moved to another worker by a rebalance is
   * deleted by both: a worker that owns only part of the topic must say so.
   */
  readonly warnIfShared: boolean;
  /** Said once at start-up when the mode has a limit an operator must know about. */
  readonly startupWarning: string | undefined;
}

export const SERVER_DURABILITY: DurabilityStrategy = {
  name: "server",
  markSafeOnStart: true,
  markSafeOnFinish: false,
  waitForRunningOnShutdown: false,
  warnIfShared: false,
  startupWarning: undefined,
};

export const IN_PROCESS_DURABILITY: DurabilityStrategy = {
  name: "in-process",
  markSafeOnStart: false,
  markSafeOnFinish: true,
  waitForRunningOnShutdown: true,
  warnIfShared: true,
  startupWarning:
    "no RESONATE_URL: durable promises live in this process only; unfinished records are redelivered after a restart. Run a single worker in this mode.",
};

/** The one place a durability mode (from the client's configuration) becomes its strategy. */
export function durabilityStrategy(durability: Durability): DurabilityStrategy {
  return durability === "server" ? SERVER_DURABILITY : IN_PROCESS_DURABILITY;
}
