import { type DecodeError, type DecodeResult, decodeFailure } from "./decode-result.js";
import {
  DELETION_REQUESTED_VERSION,
  type DeletionRequested,
  DeletionRequestedSchema,
} from "./deletion-requested.js";
import { type Bytes, encodeMessage, parseJsonBytes, validate } from "./json-bytes.js";
import { RecordIdSchema } from "./record-id.js";
import { MAX_REQUEST_BYTES } from "./topics.js";

/**
 * Which wire form a request arrived in. The earlier Resonate Kafka examples put a bare JSON
 * string id, or a one-element JSON array holding it, on the topic; both are still accepted.
 */
export type RequestFormat = "v1" | "legacy-string" | "legacy-array";

export interface DecodedRequest {
  request: DeletionRequested;
  format: RequestFormat;
}

export interface DecodeRequestOptions {
  /** requestedAt for legacy forms, which carry none: usually the Kafka message timestamp. */
  fallbackRequestedAt?: Date;
  maxBytes?: number;
  /**
   * The message's Kafka key, when it is to be checked: a request is accepted only if its key is
   * exactly its recordId (UTF-8), else it fails as KEY_MISMATCH. Leave it out to skip the check
   * (a value read from elsewhere, such as a dead letter's copy).
   */
  key?: Bytes;
}

export function decodeDeletionRequested(
  bytes: Bytes,
  options: DecodeRequestOptions = {},
): DecodeResult<DecodedRequest> {
  const decoded = decodeValue(bytes, options);
  if (!decoded.ok || !("key" in options)) return decoded;
  return keyMatches(options.key, decoded.value.request.recordId) ?? decoded;
}

/** KEY_MISMATCH unless the key is the record id, byte for byte; the reason quotes neither in full. */
function keyMatches(key: Bytes, recordId: string): { ok: false; error: DecodeError } | undefined {
  if (key === null || key === undefined || key.length === 0)
    return decodeFailure(
      "KEY_MISMATCH",
      "the message has no key; a deletion request must be keyed by its recordId",
    );
  const keyBytes = Buffer.from(key);
  if (keyBytes.equals(Buffer.from(recordId, "utf8"))) return undefined;
  return decodeFailure(
    "KEY_MISMATCH",
    `the message key (${keyBytes.length} bytes) is not the request's recordId (${Buffer.byteLength(recordId)} bytes); a request must be keyed by the record it deletes`,
  );
}

function decodeValue(bytes: Bytes, options: DecodeRequestOptions): DecodeResult<DecodedRequest> {
  const json = parseJsonBytes(bytes, options.maxBytes ?? MAX_REQUEST_BYTES);
  if (!json.ok) return json;
  const value = json.value;

  if (typeof value === "string" || Array.isArray(value)) {
    return decodeLegacy(value, options.fallbackRequestedAt ?? new Date());
  }
  if (typeof value !== "object" || value === null) {
    return decodeFailure(
      "SCHEMA_VIOLATION",
      `expected a JSON object (or a legacy JSON string / one-element array id), got ${value === null ? "null" : typeof value}`,
    );
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === "number" && version !== DELETION_REQUESTED_VERSION) {
    return decodeFailure(
      "UNSUPPORTED_SCHEMA_VERSION",
      `schemaVersion ${version} is not supported; this worker reads version ${DELETION_REQUESTED_VERSION}`,
    );
  }
  const validated = validate(DeletionRequestedSchema, value);
  return validated.ok ? { ok: true, value: { request: validated.value, format: "v1" } } : validated;
}

function decodeLegacy(value: string | unknown[], requestedAt: Date): DecodeResult<DecodedRequest> {
  let id: unknown = value;
  let format: RequestFormat = "legacy-string";
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      return decodeFailure(
        "SCHEMA_VIOLATION",
        `legacy array form must hold exactly one record id, got ${value.length} elements`,
      );
    }
    id = value[0];
    format = "legacy-array";
  }
  const recordId = RecordIdSchema.safeParse(id);
  if (!recordId.success) {
    const problem = recordId.error.issues.map((i) => i.message).join("; ");
    return decodeFailure("SCHEMA_VIOLATION", `recordId (${format}): ${problem}`);
  }
  return {
    ok: true,
    value: {
      request: {
        schemaVersion: DELETION_REQUESTED_VERSION,
        recordId: recordId.data,
        requestedAt: requestedAt.toISOString(),
      },
      format,
    },
  };
}

export const encodeDeletionRequested = (message: DeletionRequested): Buffer =>
  encodeMessage(DeletionRequestedSchema, message);
