import { PermanentDeletionError, TransientDeletionError } from "@deletion/record-store";

/*
 * Which failures are worth retrying. SQLSTATE classes and codes from the PostgreSQL manual
 * (Appendix A); node errors for a connection that could not be made or was lost.
 */
const TRANSIENT_CLASSES = new Set([
  "08", // connection exception
  "53", // insufficient resources (too many connections, out of memory, disk full)
  "57", // operator intervention: shutdown, cannot connect now, statement timeout (57014)
  "58", // system error (I/O)
]);
const TRANSIENT_CODES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
  "55006", // object_in_use
]);
const TRANSIENT_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);
// pg's own messages when a connection drops or the pool cannot hand one out in time.
const TRANSIENT_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") {
    if (TRANSIENT_CODES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_CLASSES.has(code.slice(0, 2));
  }
  const message = error instanceof Error ? error.message : String(error);
  return TRANSIENT_MESSAGES.test(message);
}

/** The SQLSTATE (or node error code) and message, for an error a person reads. */
export function describePgError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${message} (${code})` : message;
}

/** Wraps a database failure in the error kind the workflow's retry policy understands. */
export function toDeletionError(error: unknown, doing: string): Error {
  if (error instanceof TransientDeletionError || error instanceof PermanentDeletionError) return error;
  const text = `${doing}: ${describePgError(error)}`;
  return isTransient(error) ? new TransientDeletionError(text) : new PermanentDeletionError(text);
}
