import { randomBytes } from "node:crypto";

/** Ids are zero-padded to at least this many digits, so those of one run sort in order. */
export const MIN_ID_DIGITS = 6;

/**
 * A short random run id, the default id prefix: ids then differ between runs, so a second run
 * starts new workflows instead of attaching to the first run's (the id is the promise id).
 */
export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** Digits needed so every sequence number 1..count has the same width. */
export function idDigits(count: number): number {
  return Math.max(MIN_ID_DIGITS, String(Math.max(count, 1)).length);
}

/** `<prefix>-000042`: sequence numbers start at 1. */
export function recordIdFor(prefix: string, sequence: number, digits: number): string {
  return `${prefix}-${String(sequence).padStart(digits, "0")}`;
}
