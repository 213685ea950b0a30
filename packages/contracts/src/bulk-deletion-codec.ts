import {
  BULK_DELETION_REQUESTED_VERSION,
  type BulkDeletionCompleted,
  BulkDeletionCompletedSchema,
  type BulkDeletionRequested,
  BulkDeletionRequestedSchema,
} from "./bulk-deletion.js";
import { type DecodeResult, decodeFailure } from "./decode-result.js";
import { type Bytes, encodeMessage, parseJsonBytes, validate } from "./json-bytes.js";
import { MAX_REQUEST_BYTES } from "./topics.js";

export interface DecodeBulkOptions {
  maxBytes?: number;
  /** The message's Kafka key, when it is to be checked: it must be the bulkId (else KEY_MISMATCH). */
  key?: Bytes;
}

/** Bytes -> a bulk request, or why not (never throws): the caller dead-letters the reason. */
export function decodeBulkDeletionRequested(
  bytes: Bytes,
  options: DecodeBulkOptions = {},
): DecodeResult<BulkDeletionRequested> {
  const json = parseJsonBytes(bytes, options.maxBytes ?? MAX_REQUEST_BYTES);
  if (!json.ok) return json;
  const value = json.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return decodeFailure("SCHEMA_VIOLATION", "expected a JSON object (a bulk deletion request)");
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === "number" && version !== BULK_DELETION_REQUESTED_VERSION) {
    return decodeFailure(
      "UNSUPPORTED_SCHEMA_VERSION",
      `schemaVersion ${version} is not supported; this worker reads bulk version ${BULK_DELETION_REQUESTED_VERSION}`,
    );
  }
  const validated = validate(BulkDeletionRequestedSchema, value);
  if (!validated.ok || !("key" in options)) return validated;
  const key = options.key;
  if (key === null || key === undefined || !Buffer.from(key).equals(Buffer.from(validated.value.bulkId))) {
    return decodeFailure("KEY_MISMATCH", "a bulk deletion request must be keyed by its bulkId");
  }
  return validated;
}

export const encodeBulkDeletionRequested = (message: BulkDeletionRequested): Buffer =>
  encodeMessage(BulkDeletionRequestedSchema, message);

export const encodeBulkDeletionCompleted = (message: BulkDeletionCompleted): Buffer =>
  encodeMessage(BulkDeletionCompletedSchema, message);
