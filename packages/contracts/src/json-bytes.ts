import type { z } from "zod";
import { type DecodeResult, decodeFailure } from "./decode-result.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export type Bytes = Uint8Array | null | undefined;

/** Bytes -> JSON value, checking presence, size and UTF-8 before parsing. */
export function parseJsonBytes(bytes: Bytes, maxBytes: number): DecodeResult<unknown> {
  if (bytes === null || bytes === undefined) {
    return decodeFailure("EMPTY_VALUE", "message has no value (null or tombstone)");
  }
  if (bytes.byteLength === 0) {
    return decodeFailure("EMPTY_VALUE", "message value is empty (0 bytes)");
  }
  if (bytes.byteLength > maxBytes) {
    return decodeFailure(
      "TOO_LARGE",
      `message value is ${bytes.byteLength} bytes, more than the ${maxBytes}-byte limit`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return decodeFailure("NOT_UTF8", "message value is not valid UTF-8 text");
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return decodeFailure("INVALID_JSON", `message value is not valid JSON: ${detail}`);
  }
}

/** One line per problem, each naming the field: "recordId: must not be empty; requestedAt: is required". */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join(".") : "(message)";
      const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
      return `${path}: ${missing ? "is required" : issue.message}`;
    })
    .join("; ");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Validates an already-parsed value against a schema, as a decode result. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): DecodeResult<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return decodeFailure("SCHEMA_VIOLATION", describeIssues(parsed.error, value));
}

/** Bytes -> validated message, for any of the contracts. */
export function decodeMessage<S extends z.ZodType>(
  schema: S,
  bytes: Bytes,
  maxBytes = Number.POSITIVE_INFINITY,
): DecodeResult<z.infer<S>> {
  const json = parseJsonBytes(bytes, maxBytes);
  return json.ok ? validate(schema, json.value) : json;
}

/**
 * Message -> bytes. The input is our own typed data, so a schema violation here is a bug in the
 * caller and throws rather than producing a message no consumer could read.
 */
export function encodeMessage<S extends z.ZodType>(schema: S, message: z.input<S>): Buffer {
  return Buffer.from(JSON.stringify(schema.parse(message)), "utf8");
}
