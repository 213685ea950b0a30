import { describe, expect, it } from "vitest";
import { decodeDeletionRequested } from "../src/deletion-request-codec.js";

const value = (recordId: string) =>
  Buffer.from(JSON.stringify({ schemaVersion: 1, recordId, requestedAt: "2026-11-27T00:00:00.000Z" }));

describe("decodeDeletionRequested with the message key", () => {
  it("accepts a request keyed by its recordId, in every wire form", () => {
    expect(decodeDeletionRequested(value("c-1"), { key: Buffer.from("c-1") }).ok).toBe(true);
    expect(decodeDeletionRequested(Buffer.from('"c-2"'), { key: Buffer.from("c-2") }).ok).toBe(true);
    expect(decodeDeletionRequested(Buffer.from('["c-3"]'), { key: Buffer.from("c-3") }).ok).toBe(true);
  });

  it("refuses another record's key, a missing or empty key, as KEY_MISMATCH", () => {
    for (const key of [Buffer.from("c-2"), Buffer.from("C-1"), Buffer.from("c-1 "), null, Buffer.alloc(0)]) {
      const decoded = decodeDeletionRequested(value("c-1"), { key });
      expect(decoded.ok, String(key)).toBe(false);
      expect(decoded.ok ? undefined : decoded.error.code, String(key)).toBe("KEY_MISMATCH");
    }
  });

  it("reports a bad value first (its own reason), and skips the key check when no key is given", () => {
    const bad = decodeDeletionRequested(Buffer.from("{"), { key: Buffer.from("other") });
    expect(bad.ok ? undefined : bad.error.code).toBe("INVALID_JSON");
    expect(decodeDeletionRequested(value("c-1")).ok).toBe(true);
  });
});
