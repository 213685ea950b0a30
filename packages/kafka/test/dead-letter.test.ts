import { createHash } from "node:crypto";
import {
  DEAD_LETTER_MAX_ORIGINAL_BYTES,
  type DeadLetter,
  DeadLetterSchema,
  decodeMessage,
  encodeMessage,
} from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { boundDeadLetter, deadLetterFor, minimalDeadLetter, type RawMessage } from "../src/dead-letter.js";

const BOUND = 100;
const raw = (key: Buffer | null, value: Buffer | null): RawMessage => ({
  topic: "requests",
  partition: 2,
  offset: "41",
  key,
  value,
});
const bytes = (n: number, fill = "v") => Buffer.alloc(n, fill);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const decoded = (base64: string | null | undefined) =>
  base64 === null || base64 === undefined ? null : Buffer.from(base64, "base64");
const tooLarge = { code: "TOO_LARGE" as const, reason: "too large" };

describe("deadLetterFor", () => {
  it("keeps key and value whole when together they are exactly at the bound", () => {
    const key = bytes(10, "k");
    const value = bytes(90);
    const letter = deadLetterFor(raw(key, value), tooLarge, { maxOriginalBytes: BOUND });

    expect(letter.truncated).toBe(false);
    expect(decoded(letter.keyBase64)).toEqual(key);
    expect(decoded(letter.valueBase64)).toEqual(value);
    expect(letter).toMatchObject({ keyLength: 10, valueLength: 90, valueSha256: sha256(value) });
  });

  it("one byte above the bound: a prefix of the value, the full lengths and the sha256 of the whole value", () => {
    const key = bytes(10, "k");
    const value = Buffer.concat([bytes(90), Buffer.from("!")]);
    const letter = deadLetterFor(raw(key, value), tooLarge, { maxOriginalBytes: BOUND });

    expect(letter.truncated).toBe(true);
    expect(decoded(letter.keyBase64)).toEqual(key);
    expect(decoded(letter.valueBase64)).toEqual(value.subarray(0, 90));
    expect(letter).toMatchObject({ keyLength: 10, valueLength: 91, valueSha256: sha256(value) });
    expect(DeadLetterSchema.safeParse(letter).success).toBe(true);
  });

  it("truncates a large key too, leaving the value its share", () => {
    const key = bytes(500, "k");
    const value = bytes(20);
    const letter = deadLetterFor(raw(key, value), tooLarge, { maxOriginalBytes: BOUND });

    expect(letter.truncated).toBe(true);
    expect(decoded(letter.keyBase64)).toEqual(key.subarray(0, 80));
    expect(decoded(letter.valueBase64)).toEqual(value);
    expect(letter).toMatchObject({ keyLength: 500, valueLength: 20 });
  });

  it("splits the bound in half when key and value are both large", () => {
    const letter = deadLetterFor(raw(bytes(300, "k"), bytes(300)), tooLarge, { maxOriginalBytes: BOUND });
    expect(decoded(letter.keyBase64)?.byteLength).toBe(50);
    expect(decoded(letter.valueBase64)?.byteLength).toBe(50);
  });

  it("keeps null key and value null, without lengths", () => {
    const letter = deadLetterFor(raw(null, null), { code: "EMPTY_VALUE", reason: "tombstone" });
    expect(letter).toMatchObject({ keyBase64: null, valueBase64: null, truncated: false });
    expect(letter.keyLength).toBeUndefined();
    expect(letter.valueLength).toBeUndefined();
    expect(letter.valueSha256).toBeUndefined();
  });

  it("with the default bound, the dead letter of a 1 MiB value fits under the client's 1,000,000-byte message limit", () => {
    const value = Buffer.alloc(1024 * 1024, "x");
    const letter = deadLetterFor(raw(Buffer.from("key"), value), tooLarge);
    const encoded = encodeMessage(DeadLetterSchema, letter);

    expect(letter.truncated).toBe(true);
    expect(decoded(letter.valueBase64)?.byteLength).toBe(DEAD_LETTER_MAX_ORIGINAL_BYTES - 3);
    expect(encoded.byteLength).toBeLessThan(1_000_000);
    expect(decodeMessage(DeadLetterSchema, encoded).ok).toBe(true);
  });
});

/** A dead letter as a workflow builds it: whole key and value, none of the new fields. */
const workflowLetter = (value: Buffer): DeadLetter => ({
  schemaVersion: 1,
  reasonCode: "WORKFLOW_FAILED",
  reason: "deletion failed",
  source: { topic: "requests", partition: 0, offset: "7" },
  keyBase64: Buffer.from("rec-1").toString("base64"),
  valueBase64: value.toString("base64"),
  deadLetteredAt: "2026-11-27T00:00:00.000Z",
});

describe("boundDeadLetter", () => {
  it("leaves a dead letter that fits as it is", () => {
    const letter = workflowLetter(bytes(BOUND - 5));
    expect(boundDeadLetter(letter, BOUND)).toBe(letter);
  });

  it("truncates one that does not, describing the whole original", () => {
    const value = bytes(BOUND * 3);
    const bounded = boundDeadLetter(workflowLetter(value), BOUND);
    expect(bounded.truncated).toBe(true);
    expect(decoded(bounded.valueBase64)).toEqual(value.subarray(0, BOUND - 5));
    expect(bounded).toMatchObject({ keyLength: 5, valueLength: BOUND * 3, valueSha256: sha256(value) });
  });

  it("keeps the original's lengths and hash when it shrinks an already truncated one", () => {
    const value = bytes(1_000);
    const truncated = deadLetterFor(raw(null, value), tooLarge, { maxOriginalBytes: 400 });
    const bounded = boundDeadLetter(truncated, BOUND);
    expect(decoded(bounded.valueBase64)?.byteLength).toBe(BOUND);
    expect(bounded).toMatchObject({ truncated: true, valueLength: 1_000, valueSha256: sha256(value) });
  });

  it("cuts a reason long enough to matter", () => {
    const letter = { ...workflowLetter(bytes(1)), reason: "x".repeat(1_000_000) };
    expect(boundDeadLetter(letter, BOUND).reason.length).toBeLessThanOrEqual(4_000);
  });
});

describe("minimalDeadLetter", () => {
  const refused = { reason: "ERR_MSG_SIZE_TOO_LARGE", message: "Broker: Message size too large" };

  it("drops key and value, keeps the reason, the position, the lengths and the sha256, and says why", () => {
    const value = bytes(1_000);
    const letter = deadLetterFor(raw(Buffer.from("key"), value), tooLarge, { maxOriginalBytes: BOUND });
    const minimal = minimalDeadLetter(letter, refused);

    expect(minimal).toEqual({
      schemaVersion: 1,
      reasonCode: "TOO_LARGE",
      reason: "too large",
      source: { topic: "requests", partition: 2, offset: "41" },
      keyBase64: null,
      valueBase64: null,
      deadLetteredAt: letter.deadLetteredAt,
      truncated: true,
      keyLength: 3,
      valueLength: 1_000,
      valueSha256: sha256(value),
      minimal: { reason: "ERR_MSG_SIZE_TOO_LARGE", brokerError: "Broker: Message size too large" },
    });
    expect(DeadLetterSchema.safeParse(minimal).success).toBe(true);
    expect(encodeMessage(DeadLetterSchema, minimal).byteLength).toBeLessThan(1_000);
  });

  it("describes a whole dead letter that carried no lengths (a workflow's) from its bytes", () => {
    const value = bytes(30);
    const minimal = minimalDeadLetter(workflowLetter(value), refused);
    expect(minimal).toMatchObject({ keyLength: 5, valueLength: 30, valueSha256: sha256(value) });
  });
});
