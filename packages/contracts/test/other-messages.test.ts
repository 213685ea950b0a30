import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  DeadLetterSchema,
  type DeletionCompleted,
  DeletionCompletedSchema,
  decodeMessage,
  encodeMessage,
  TOPICS,
} from "../src/index.js";

const completed: DeletionCompleted = {
  schemaVersion: 1,
  recordId: "rec-1",
  source: { topic: TOPICS.deletionRequests, partition: 2, offset: "9007199254740993" },
  completedAt: "2026-11-27T01:00:00.000Z",
  batches: 4,
  rowsDeleted: 400,
  transientErrorsRetried: 1,
  workflowId: "rec-1",
};

const deadLetter: DeadLetter = {
  schemaVersion: 1,
  reasonCode: "INVALID_JSON",
  reason: "message value is not valid JSON: Unexpected token",
  source: { topic: TOPICS.deletionRequests, partition: 0, offset: "17" },
  keyBase64: Buffer.from("k").toString("base64"),
  valueBase64: Buffer.from([0xff, 0x00]).toString("base64"),
  deadLetteredAt: "2026-11-27T01:00:00.000Z",
};

describe("DeletionCompleted", () => {
  it("round trips, keeping a 64-bit offset exact", () => {
    const decoded = decodeMessage(DeletionCompletedSchema, encodeMessage(DeletionCompletedSchema, completed));
    expect(decoded).toEqual({ ok: true, value: completed });
  });

  it("carries the idempotency key and attempt, and still decodes a completion from before them", () => {
    const keyed = {
      ...completed,
      workflowId: "deletion/rec-1/attempt-2",
      idempotencyKey: "deletion/rec-1/attempt-2",
      attempt: 2,
    };
    expect(decodeMessage(DeletionCompletedSchema, encodeMessage(DeletionCompletedSchema, keyed))).toEqual({
      ok: true,
      value: keyed,
    });
    const older = decodeMessage(DeletionCompletedSchema, Buffer.from(JSON.stringify(completed)));
    expect(older.ok && older.value.idempotencyKey).toBeUndefined();
    const bad = decodeMessage(DeletionCompletedSchema, Buffer.from(JSON.stringify({ ...keyed, attempt: 0 })));
    expect(bad.ok).toBe(false);
  });

  it("rejects a negative batch count and a numeric offset", () => {
    const bad = { ...completed, batches: -1, source: { ...completed.source, offset: 12 } };
    const decoded = decodeMessage(DeletionCompletedSchema, Buffer.from(JSON.stringify(bad)));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.code).toBe("SCHEMA_VIOLATION");
      expect(decoded.error.reason).toContain("batches:");
      expect(decoded.error.reason).toContain("source.offset:");
    }
  });
});

describe("DeadLetter", () => {
  it("round trips and keeps the original bytes recoverable", () => {
    const decoded = decodeMessage(DeadLetterSchema, encodeMessage(DeadLetterSchema, deadLetter));
    expect(decoded).toEqual({ ok: true, value: deadLetter });
    if (decoded.ok && decoded.value.valueBase64) {
      expect([...Buffer.from(decoded.value.valueBase64, "base64")]).toEqual([0xff, 0x00]);
    }
  });

  it("allows a missing key and value (a tombstone)", () => {
    const tombstone = {
      ...deadLetter,
      reasonCode: "EMPTY_VALUE" as const,
      keyBase64: null,
      valueBase64: null,
    };
    expect(decodeMessage(DeadLetterSchema, encodeMessage(DeadLetterSchema, tombstone)).ok).toBe(true);
  });

  it("rejects an unknown reason code", () => {
    const decoded = decodeMessage(
      DeadLetterSchema,
      Buffer.from(JSON.stringify({ ...deadLetter, reasonCode: "OOPS" })),
    );
    expect(decoded.ok).toBe(false);
  });
});
