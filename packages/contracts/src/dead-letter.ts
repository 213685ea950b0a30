import { z } from "zod";
import { SourcePositionSchema } from "./source-position.js";

export const DEAD_LETTER_VERSION = 1;

/** Why a message could not be turned into a request. */
export const DeadLetterReasonCodeSchema = z.enum([
  "EMPTY_VALUE",
  "TOO_LARGE",
  "NOT_UTF8",
  "INVALID_JSON",
  "SCHEMA_VIOLATION",
  "UNSUPPORTED_SCHEMA_VERSION",
  /**
   * the message's Kafka key is not the request's recordId (or there is none): the key places a
   * record's requests on one partition, and a request must not name one record and delete another
   */
  "KEY_MISMATCH",
  /**
   * signed requests are required and this one carries no signature, one by an unknown key, one
   * that does not verify over its key and value, or its key is not its recordId
   */
  "UNAUTHENTICATED",
  /** decoded fine, but its deletion failed for good (a permanent store error, retries used up) */
  "WORKFLOW_FAILED",
  /**
   * decoded fine, but the record's promise id on the Resonate server holds a promise this project
   * did not create (another application's, or unreadable): nothing was run
   */
  "FOREIGN_PROMISE",
  /** a bulk deletion request names a selector (or parameter) this deployment does not configure */
  "UNKNOWN_SELECTOR",
]);

export type DeadLetterReasonCode = z.infer<typeof DeadLetterReasonCodeSchema>;

const Base64Schema = z.base64();
const ByteCountSchema = z.number().int().nonnegative();

/**
 * A dead letter carries at most this many bytes of the original key and value together
 * (before base64), so it always fits under the broker's 1 MiB message limit.
 */
export const DEAD_LETTER_MAX_ORIGINAL_BYTES = 256 * 1024;
/** The largest bound that still fits: base64 adds a third, and the JSON around it needs room. */
export const DEAD_LETTER_MAX_ORIGINAL_BYTES_LIMIT = 512 * 1024;

/**
 * A message the worker could not process, kept byte for byte so nothing is lost, unless it is
 * too large for that: then `truncated` is set and the bytes are a prefix; the lengths and the
 * hash still identify the original.
 */
export const DeadLetterSchema = z.object({
  schemaVersion: z.literal(DEAD_LETTER_VERSION),
  reasonCode: DeadLetterReasonCodeSchema,
  reason: z.string().min(1),
  source: SourcePositionSchema,
  /** base64 of the original key (a prefix when truncated), null when there is none or it was left out */
  keyBase64: Base64Schema.nullable(),
  /** base64 of the original value (a prefix when truncated), null for a tombstone or when left out */
  valueBase64: Base64Schema.nullable(),
  deadLetteredAt: z.iso.datetime({ offset: true }),
  /** true when keyBase64/valueBase64 hold less than the original bytes (a prefix, or nothing) */
  truncated: z.boolean().optional(),
  /** byte length of the original key; absent when the message had no key */
  keyLength: ByteCountSchema.optional(),
  /** byte length of the original value; absent for a tombstone */
  valueLength: ByteCountSchema.optional(),
  /** sha256 (lowercase hex) of the whole original value, whatever part of it is carried */
  valueSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: "must be a lowercase hex sha256" })
    .optional(),
  /**
   * Present on a minimal dead letter: the broker refused the complete one for good, so this one
   * leaves the key and value out. `reason` is the client's error type, `brokerError` its message.
   */
  minimal: z.object({ reason: z.string().min(1), brokerError: z.string() }).optional(),
});

export type DeadLetter = z.infer<typeof DeadLetterSchema>;
