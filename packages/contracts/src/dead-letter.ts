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
  /** decoded fine, but its deletion failed for good (a permanent store error, retries used up) */
  "WORKFLOW_FAILED",
]);

export type DeadLetterReasonCode = z.infer<typeof DeadLetterReasonCodeSchema>;

const Base64Schema = z.base64();

/** A message the worker could not process, kept byte for byte so nothing is lost. */
export const DeadLetterSchema = z.object({
  schemaVersion: z.literal(DEAD_LETTER_VERSION),
  reasonCode: DeadLetterReasonCodeSchema,
  reason: z.string().min(1),
  source: SourcePositionSchema,
  /** base64 of the original key, null when the message had none */
  keyBase64: Base64Schema.nullable(),
  /** base64 of the original value, null when the message had none (a tombstone) */
  valueBase64: Base64Schema.nullable(),
  deadLetteredAt: z.iso.datetime({ offset: true }),
});

export type DeadLetter = z.infer<typeof DeadLetterSchema>;
