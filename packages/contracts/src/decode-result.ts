import type { DeadLetterReasonCode } from "./dead-letter.js";

/** Why bytes could not be decoded, in words a person can act on. */
export interface DecodeError {
  code: DeadLetterReasonCode;
  reason: string;
}

/** Decoding never throws on bad input: the caller decides (dead-letter, skip, fail a test). */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export const decodeFailure = (
  code: DeadLetterReasonCode,
  reason: string,
): { ok: false; error: DecodeError } => ({
  ok: false,
  error: { code, reason },
});
