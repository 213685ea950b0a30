import { describe, expect, it } from "vitest";
import {
  type DeletionRequested,
  decodeDeletionRequested,
  encodeDeletionRequested,
  MAX_REQUEST_BYTES,
  RECORD_ID_MAX_LENGTH,
} from "../src/index.js";

const bytes = (text: string) => Buffer.from(text, "utf8");
const json = (value: unknown) => bytes(JSON.stringify(value));
const valid: DeletionRequested = {
  schemaVersion: 1,
  recordId: "rec-0001",
  requestedAt: "2026-11-27T01:00:00.000Z",
  metadata: { tenant: "acme" },
};

function expectFailure(input: Uint8Array | null | undefined, code: string, reasonPart: RegExp) {
  const result = decodeDeletionRequested(input);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.reason).toMatch(reasonPart);
}

describe("DeletionRequested round trip", () => {
  it("decodes what it encodes", () => {
    const decoded = decodeDeletionRequested(encodeDeletionRequested(valid));
    expect(decoded).toEqual({ ok: true, value: { request: valid, format: "v1" } });
  });

  it("round trips without the optional metadata", () => {
    const { metadata: _ignored, ...bare } = valid;
    const decoded = decodeDeletionRequested(encodeDeletionRequested(bare));
    expect(decoded.ok && decoded.value.request).toEqual(bare);
  });

  it("refuses to encode an invalid message (a caller bug)", () => {
    expect(() => encodeDeletionRequested({ ...valid, recordId: "" })).toThrow();
  });

  it("accepts an id of exactly the maximum length", () => {
    const recordId = "a".repeat(RECORD_ID_MAX_LENGTH);
    const decoded = decodeDeletionRequested(json({ ...valid, recordId }));
    expect(decoded.ok && decoded.value.request.recordId).toBe(recordId);
  });
});

describe("legacy payloads of the earlier Resonate examples", () => {
  const at = new Date("2026-01-02T03:04:05.000Z");

  it("normalises a bare JSON string id", () => {
    const decoded = decodeDeletionRequested(json("abc-123"), { fallbackRequestedAt: at });
    expect(decoded).toEqual({
      ok: true,
      value: {
        request: { schemaVersion: 1, recordId: "abc-123", requestedAt: at.toISOString() },
        format: "legacy-string",
      },
    });
  });

  it("normalises a one-element JSON array", () => {
    const decoded = decodeDeletionRequested(json(["abc-123"]), { fallbackRequestedAt: at });
    expect(decoded.ok && decoded.value).toEqual({
      request: { schemaVersion: 1, recordId: "abc-123", requestedAt: at.toISOString() },
      format: "legacy-array",
    });
  });

  it("rejects an array with more than one id", () => {
    expectFailure(json(["a", "b"]), "SCHEMA_VIOLATION", /exactly one record id, got 2/);
  });

  it("rejects an empty array and a non-string element", () => {
    expectFailure(json([]), "SCHEMA_VIOLATION", /got 0 elements/);
    expectFailure(json([42]), "SCHEMA_VIOLATION", /legacy-array.*must be a string/);
  });

  it("validates the legacy id with the same rules", () => {
    expectFailure(json("has space"), "SCHEMA_VIOLATION", /may contain only/);
  });
});

describe("bad input is a value, never an exception", () => {
  it("null and undefined values", () => {
    expectFailure(null, "EMPTY_VALUE", /no value/);
    expectFailure(undefined, "EMPTY_VALUE", /no value/);
  });

  it("an empty value", () => {
    expectFailure(bytes(""), "EMPTY_VALUE", /empty \(0 bytes\)/);
  });

  it("bytes that are not UTF-8", () => {
    expectFailure(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "NOT_UTF8", /not valid UTF-8/);
  });

  it("invalid JSON", () => {
    expectFailure(bytes("{recordId: nope"), "INVALID_JSON", /not valid JSON/);
  });

  it("JSON of the wrong shape", () => {
    expectFailure(bytes("42"), "SCHEMA_VIOLATION", /expected a JSON object.*number/);
    expectFailure(bytes("null"), "SCHEMA_VIOLATION", /got null/);
  });

  it("wrong field types name the field", () => {
    expectFailure(json({ ...valid, recordId: 7 }), "SCHEMA_VIOLATION", /^recordId: must be a string$/);
    expectFailure(
      json({ ...valid, requestedAt: "yesterday" }),
      "SCHEMA_VIOLATION",
      /requestedAt: must be an ISO-8601/,
    );
  });

  it("a missing id", () => {
    const { recordId: _ignored, ...rest } = valid;
    expectFailure(json(rest), "SCHEMA_VIOLATION", /^recordId: is required$/);
  });

  it("an empty id", () => {
    expectFailure(json({ ...valid, recordId: "" }), "SCHEMA_VIOLATION", /recordId: must not be empty/);
  });

  it("an id that is too long says how long it was", () => {
    const recordId = "a".repeat(RECORD_ID_MAX_LENGTH + 1);
    expectFailure(json({ ...valid, recordId }), "SCHEMA_VIOLATION", /at most 128 characters \(got 129\)/);
  });

  it("an unsupported schema version", () => {
    expectFailure(
      json({ ...valid, schemaVersion: 2 }),
      "UNSUPPORTED_SCHEMA_VERSION",
      /schemaVersion 2 is not supported/,
    );
  });

  it("a missing schema version", () => {
    const { schemaVersion: _ignored, ...rest } = valid;
    expectFailure(json(rest), "SCHEMA_VIOLATION", /schemaVersion: is required/);
  });

  it("several problems are all reported", () => {
    const result = decodeDeletionRequested(json({ schemaVersion: 1, recordId: "", requestedAt: 5 }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason.split("; ")).toHaveLength(2);
  });

  it("a value of several megabytes is refused before parsing", () => {
    const huge = json({ ...valid, metadata: { blob: "x".repeat(5 * 1024 * 1024) } });
    expect(huge.byteLength).toBeGreaterThan(MAX_REQUEST_BYTES);
    expectFailure(
      huge,
      "TOO_LARGE",
      new RegExp(`${huge.byteLength} bytes, more than the ${MAX_REQUEST_BYTES}-byte limit`),
    );
  });
});

describe("extra fields are stripped (forward compatibility)", () => {
  it("drops unknown top-level fields and keeps the rest", () => {
    const decoded = decodeDeletionRequested(json({ ...valid, priority: "high", nested: { a: 1 } }));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.request).toEqual(valid);
    expect(Object.keys(decoded.value.request)).not.toContain("priority");
  });
});

describe("record id characters", () => {
  it("rejects ':' which Resonate reserves in promise ids", () => {
    expectFailure(json({ ...valid, recordId: "a:b" }), "SCHEMA_VIOLATION", /may contain only/);
  });

  it("accepts UUIDs and dotted ids", () => {
    for (const recordId of ["3f2b8c1e-8d4b-4c7e-9a51-0c9f3e7d2a10", "tenant.42_rec-7"]) {
      expect(decodeDeletionRequested(json({ ...valid, recordId })).ok).toBe(true);
    }
  });
});
