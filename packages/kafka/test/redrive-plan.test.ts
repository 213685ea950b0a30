import { type DeadLetter, type DeadLetterReasonCode, DeletionRequestedSchema } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { planRedrive } from "../src/redrive-plan.js";

const now = new Date("2026-11-28T10:00:00.000Z");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function deadLetter(over: Partial<DeadLetter> = {}): Buffer {
  const letter: DeadLetter = {
    schemaVersion: 1,
    reasonCode: "WORKFLOW_FAILED",
    reason: "deletion attempt 1 failed",
    source: { topic: "requests", partition: 0, offset: "7" },
    keyBase64: b64("rec-1"),
    valueBase64: b64(
      JSON.stringify({ schemaVersion: 1, recordId: "rec-1", requestedAt: "2026-11-27T00:00:00Z" }),
    ),
    deadLetteredAt: "2026-11-27T00:00:01.000Z",
    ...over,
  };
  return Buffer.from(JSON.stringify(letter), "utf8");
}

const plan = (
  value: Buffer | null,
  reasons: DeadLetterReasonCode[] = ["WORKFLOW_FAILED"],
  seen = new Set<string>(),
) => planRedrive(value, { reasons: new Set(reasons), seen, now });

describe("planRedrive", () => {
  it("turns a failed deletion's dead letter into a fresh, valid request for the same record", () => {
    const decision = plan(deadLetter());
    expect(decision).toEqual({
      action: "republish",
      recordId: "rec-1",
      reasonCode: "WORKFLOW_FAILED",
      request: { schemaVersion: 1, recordId: "rec-1", requestedAt: now.toISOString() },
    });
    expect(
      decision.action === "republish" && DeletionRequestedSchema.safeParse(decision.request).success,
    ).toBe(true);
  });

  it("keeps the original request's metadata, and reads the legacy forms too", () => {
    const withMetadata = deadLetter({
      valueBase64: b64(
        JSON.stringify({
          schemaVersion: 1,
          recordId: "rec-2",
          requestedAt: "2026-11-27T00:00:00Z",
          metadata: { by: "ops" },
        }),
      ),
    });
    expect(plan(withMetadata)).toMatchObject({ action: "republish", request: { metadata: { by: "ops" } } });
    expect(plan(deadLetter({ valueBase64: b64(JSON.stringify("legacy-1")) }))).toMatchObject({
      action: "republish",
      recordId: "legacy-1",
    });
  });

  it("re-drives only the selected reasons", () => {
    const foreign = deadLetter({ reasonCode: "FOREIGN_PROMISE" });
    expect(plan(foreign)).toMatchObject({
      action: "skip",
      why: "reasonNotSelected",
      reasonCode: "FOREIGN_PROMISE",
    });
    expect(plan(foreign, ["WORKFLOW_FAILED", "FOREIGN_PROMISE"])).toMatchObject({ action: "republish" });
  });

  it("publishes one request per record per run", () => {
    const seen = new Set<string>();
    expect(plan(deadLetter(), undefined, seen)).toMatchObject({ action: "republish" });
    expect(
      plan(deadLetter({ source: { topic: "requests", partition: 0, offset: "9" } }), undefined, seen),
    ).toMatchObject({
      action: "skip",
      why: "alreadyInThisRun",
      recordId: "rec-1",
    });
  });

  it("skips dead letters without a whole, valid request in them", () => {
    const reasons: DeadLetterReasonCode[] = ["WORKFLOW_FAILED", "INVALID_JSON"];
    expect(
      plan(deadLetter({ reasonCode: "INVALID_JSON", valueBase64: b64("{ nope") }), reasons),
    ).toMatchObject({
      action: "skip",
      why: "noRequest",
    });
    expect(plan(deadLetter({ truncated: true }), reasons)).toMatchObject({
      action: "skip",
      why: "noRequest",
    });
    expect(plan(deadLetter({ valueBase64: null }), reasons)).toMatchObject({
      action: "skip",
      why: "noRequest",
    });
  });

  it("skips what is not a dead letter at all", () => {
    expect(plan(Buffer.from("hello"))).toMatchObject({ action: "skip", why: "unreadable" });
    expect(plan(null)).toMatchObject({ action: "skip", why: "unreadable" });
    expect(plan(Buffer.from(JSON.stringify({ schemaVersion: 1 })))).toMatchObject({
      action: "skip",
      why: "unreadable",
    });
  });
});
