/** How the database pushed back on a batch; the same names as the pacing package's PushBack. */
export type PushBackKind = "lock_timeout" | "statement_timeout" | "serialization" | "deadlock";

// SQLSTATEs from the PostgreSQL manual (Appendix A) that mean "too much contention now".
const PUSH_BACK: Record<string, PushBackKind> = {
  "55P03": "lock_timeout", // lock_not_available: lock_timeout or NOWAIT
  "57014": "statement_timeout", // query_canceled: statement_timeout (or a cancel request)
  "40001": "serialization", // serialization_failure
  "40P01": "deadlock", // deadlock_detected
};

/**
 * Whether a failed batch was the database pushing back (lock, statement timeout, serialization,
 * deadlock): pacing backs off on these, not on a lost connection or a bad table. Reads the
 * SQLSTATE of pg's error, of its `cause`, or the "(SQLSTATE)" the store's wrapped errors end with.
 */
export function classifyPushBack(error: unknown): PushBackKind | undefined {
  for (let current = error, depth = 0; current && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && PUSH_BACK[code]) return PUSH_BACK[code];
    const message = current instanceof Error ? current.message : "";
    const quoted = /\(([0-9A-Z]{5})\)$/.exec(message)?.[1];
    if (quoted && PUSH_BACK[quoted]) return PUSH_BACK[quoted];
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
