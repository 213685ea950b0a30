import type { DeadLetterReasonCode } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeDeadLetters,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { readTopic, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

/** Each kind of bad input, the reason code it must be dead-lettered with, and the bytes. */
const badInputs: { kind: string; code: DeadLetterReasonCode; value: Buffer | string | null }[] = [
  { kind: "tombstone (null value)", code: "EMPTY_VALUE", value: null },
  { kind: "empty value", code: "EMPTY_VALUE", value: "" },
  { kind: "not UTF-8", code: "NOT_UTF8", value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) },
  { kind: "invalid JSON", code: "INVALID_JSON", value: '{"recordId": "x",' },
  { kind: "a JSON number", code: "SCHEMA_VIOLATION", value: "42" },
  {
    kind: "missing record id",
    code: "SCHEMA_VIOLATION",
    value: JSON.stringify({ schemaVersion: 1, requestedAt: "2026-11-27T00:00:00Z" }),
  },
  { kind: "record id too long", code: "SCHEMA_VIOLATION", value: requestJson("x".repeat(129)) },
  {
    kind: "wrong field type",
    code: "SCHEMA_VIOLATION",
    value: JSON.stringify({ schemaVersion: 1, recordId: 7, requestedAt: "2026-11-27T00:00:00Z" }),
  },
  {
    kind: "unsupported schema version",
    code: "UNSUPPORTED_SCHEMA_VERSION",
    value: JSON.stringify({ schemaVersion: 9, recordId: "v9", requestedAt: "2026-11-27T00:00:00Z" }),
  },
  { kind: "legacy array with two ids", code: "SCHEMA_VIOLATION", value: JSON.stringify(["a", "b"]) },
  { kind: "record id with ':'", code: "SCHEMA_VIOLATION", value: requestJson("tenant:42") },
  // Keyed `bad-<i>` but naming another record: a request must be keyed by the record it deletes.
  { kind: "key of another record", code: "KEY_MISMATCH", value: requestJson("someone-else") },
  {
    kind: "200 KiB value",
    code: "TOO_LARGE",
    value: requestJson("big").replace("}", `,"pad":"${"x".repeat(200 * 1024)}"}`),
  },
];

describe.each(resonateModes)("worker and bad input $label", ({ url, skip }) => {
  const test = it.skipIf(skip);
  test("dead-letters every malformed message with its reason and completes every good one, without restarting", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(
      pipeline,
      { BATCH_SLEEP_MS: "100", SIM_SEED: "3" },
      { resonateUrl: url },
    );

    // Good and bad interleaved, plus the two legacy forms, which are good input.
    const messages: { key: string | null; value: Buffer | string | null; good?: string }[] = [];
    badInputs.forEach((bad, i) => {
      const id = pipeline.id(`good-${i}`);
      messages.push({ key: id, value: requestJson(id), good: id });
      messages.push({ key: `bad-${i}`, value: bad.value });
    });
    const [legacyString, legacyArray] = [pipeline.id("legacy-string"), pipeline.id("legacy-array")];
    messages.push({ key: legacyString, value: JSON.stringify(legacyString), good: legacyString });
    messages.push({ key: legacyArray, value: JSON.stringify([legacyArray]), good: legacyArray });
    const produced = await produceInOrder(brokers, pipeline.input, messages);
    const goodIds = messages.flatMap((m) => (m.good ? [m.good] : []));

    const completions = await readCompletions(pipeline, goodIds.length);
    const deadLetters = decodeDeadLetters(
      await readTopic(brokers, pipeline.deadLetters, { expected: badInputs.length }),
    );

    expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set(goodIds));
    expect(completions).toHaveLength(goodIds.length);
    expect(deadLetters).toHaveLength(badInputs.length);
    const badOffsets = produced.filter((p) => p.key?.startsWith("bad-")).map((p) => p.offset);
    const byOffset = new Map(deadLetters.map((d) => [d.source.offset, d]));
    badInputs.forEach((bad, i) => {
      const letter = byOffset.get(badOffsets[i] as string);
      expect(letter, bad.kind).toBeDefined();
      expect(letter?.reasonCode, bad.kind).toBe(bad.code);
      expect(letter?.reason.length, bad.kind).toBeGreaterThan(10);
      expect(letter?.keyBase64 && Buffer.from(letter.keyBase64, "base64").toString(), bad.kind).toBe(
        `bad-${i}`,
      );
      const original = bad.value === null ? null : Buffer.from(bad.value).toString("base64");
      expect(letter?.valueBase64, bad.kind).toBe(original);
    });

    // One process the whole time: it never crashed or restarted.
    expect(worker.child.exitCode).toBeNull();
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.started)).toHaveLength(1);
    expect(worker.logs.filter((l) => l.event === LOG_EVENTS.deadLettered)).toHaveLength(badInputs.length);
  });
});
