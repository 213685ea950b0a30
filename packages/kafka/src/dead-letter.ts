import { createHash } from "node:crypto";
import { DEAD_LETTER_MAX_ORIGINAL_BYTES, type DeadLetter, type DecodeError } from "@deletion/contracts";

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** Longer reasons are cut: a crash message could otherwise make the dead letter too large. */
const MAX_TEXT_CHARS = 4_000;

type Carried = Pick<
  DeadLetter,
  "keyBase64" | "valueBase64" | "truncated" | "keyLength" | "valueLength" | "valueSha256"
>;

/** The dead letter for a message that could not be decoded: its bytes (bounded) and why. */
export function deadLetterFor(
  message: RawMessage,
  error: DecodeError,
  options: { now?: Date; maxOriginalBytes?: number } = {},
): DeadLetter {
  return {
    schemaVersion: 1,
    reasonCode: error.code,
    reason: cut(error.reason),
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    ...carryOriginal(message.key, message.value, options.maxOriginalBytes ?? DEAD_LETTER_MAX_ORIGINAL_BYTES),
    deadLetteredAt: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The original key and value, whole when together they fit in `maxOriginalBytes`, else a prefix
 * of each: each gets up to half the bound, and what one does not need goes to the other. The
 * lengths and the value's sha256 always describe the whole original.
 */
export function carryOriginal(key: Buffer | null, value: Buffer | null, maxOriginalBytes: number): Carried {
  const keyLength = key?.byteLength ?? 0;
  const valueLength = value?.byteLength ?? 0;
  const truncated = keyLength + valueLength > maxOriginalBytes;
  const half = Math.floor(maxOriginalBytes / 2);
  const valueKept = truncated
    ? Math.min(valueLength, maxOriginalBytes - Math.min(keyLength, half))
    : valueLength;
  const keyKept = truncated ? Math.min(keyLength, maxOriginalBytes - valueKept) : keyLength;
  return {
    keyBase64: key === null ? null : key.subarray(0, keyKept).toString("base64"),
    valueBase64: value === null ? null : value.subarray(0, valueKept).toString("base64"),
    truncated,
    ...(key === null ? {} : { keyLength }),
    ...(value === null ? {} : { valueLength, valueSha256: sha256(value) }),
  };
}

/**
 * Makes any dead letter fit the bound (say, one a workflow built from its request): one that
 * already fits is returned as it is, one that does not keeps a prefix of its bytes.
 */
export function boundDeadLetter(deadLetter: DeadLetter, maxOriginalBytes: number): DeadLetter {
  const reason = cut(deadLetter.reason);
  const size = base64Bytes(deadLetter.keyBase64) + base64Bytes(deadLetter.valueBase64);
  if (size <= maxOriginalBytes) return reason === deadLetter.reason ? deadLetter : { ...deadLetter, reason };
  const carried = carryOriginal(
    decode(deadLetter.keyBase64),
    decode(deadLetter.valueBase64),
    maxOriginalBytes,
  );
  // Already a prefix: the lengths and the hash it carries describe the real original.
  const original = deadLetter.truncated
    ? {
        keyLength: deadLetter.keyLength,
        valueLength: deadLetter.valueLength,
        valueSha256: deadLetter.valueSha256,
      }
    : {};
  return { ...deadLetter, reason, ...carried, ...definedOnly(original) };
}

/**
 * What is left to say when the broker refused a dead letter for good: the reason, the source
 * position, the lengths and the value's sha256, but none of the original bytes.
 */
export function minimalDeadLetter(
  deadLetter: DeadLetter,
  refused: { reason: string; message: string },
): DeadLetter {
  const described = deadLetter.truncated
    ? deadLetter
    : { ...deadLetter, ...carryOriginal(decode(deadLetter.keyBase64), decode(deadLetter.valueBase64), 0) };
  return {
    schemaVersion: deadLetter.schemaVersion,
    reasonCode: deadLetter.reasonCode,
    reason: cut(deadLetter.reason),
    source: deadLetter.source,
    keyBase64: null,
    valueBase64: null,
    deadLetteredAt: deadLetter.deadLetteredAt,
    truncated: true,
    ...definedOnly({
      keyLength: described.keyLength,
      valueLength: described.valueLength,
      valueSha256: described.valueSha256,
    }),
    minimal: { reason: refused.reason, brokerError: cut(refused.message) },
  };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const decode = (base64: string | null) => (base64 === null ? null : Buffer.from(base64, "base64"));

function base64Bytes(base64: string | null): number {
  if (base64 === null) return 0;
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

function cut(text: string): string {
  return text.length <= MAX_TEXT_CHARS ? text : `${text.slice(0, MAX_TEXT_CHARS - 1)}…`;
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
