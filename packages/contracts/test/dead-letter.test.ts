import { describe, expect, it } from "vitest";
import { type DeadLetter, DeadLetterSchema, decodeMessage, encodeMessage } from "../src/index.js";

const whole: DeadLetter = {
  schemaVersion: 1,
  reasonCode: "INVALID_JSON",
  reason: "not JSON",
  source: { topic: "records_to_be_deleted", partition: 0, offset: "17" },
  keyBase64: Buffer.from("k").toString("base64"),
  valueBase64: Buffer.from("{").toString("base64"),
  deadLetteredAt: "2026-11-27T01:00:00.000Z",
};

describe("DeadLetter size fields", () => {
  it("a dead letter written before the size policy (no new fields) still decodes", () => {
    expect(decodeMessage(DeadLetterSchema, Buffer.from(JSON.stringify(whole)))).toEqual({
      ok: true,
      value: whole,
    });
  });

  it("round trips a truncated and a minimal dead letter", () => {
    const truncated: DeadLetter = {
      ...whole,
      reasonCode: "TOO_LARGE",
      truncated: true,
      keyLength: 1,
      valueLength: 921_600,
      valueSha256: "a".repeat(64),
    };
    const minimal: DeadLetter = {
      ...truncated,
      keyBase64: null,
      valueBase64: null,
      minimal: { reason: "ERR_MSG_SIZE_TOO_LARGE", brokerError: "Broker: Message size too large" },
    };
    for (const letter of [truncated, minimal]) {
      expect(decodeMessage(DeadLetterSchema, encodeMessage(DeadLetterSchema, letter))).toEqual({
        ok: true,
        value: letter,
      });
    }
  });

  it("rejects a hash that is not a sha256 and a negative length", () => {
    const bad = { ...whole, valueSha256: "ABC", valueLength: -1 };
    const decoded = decodeMessage(DeadLetterSchema, Buffer.from(JSON.stringify(bad)));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.reason).toContain("valueSha256");
      expect(decoded.error.reason).toContain("valueLength");
    }
  });
});
