import { generateKeyPairSync } from "node:crypto";
import { BULK_HEADERS, type DeletionRequested } from "@deletion/contracts";
import { type Producer, requestSigner } from "@deletion/kafka";
import { describe, expect, it } from "vitest";
import { KafkaBulkPublisher } from "../src/kafka-bulk-publisher.js";
import { checkRequestSignature } from "../src/request-verification.js";

type Sent = { topic: string; messages: { key: string; value: Buffer; headers: Record<string, string> }[] };

function recordingProducer() {
  const sent: Sent[] = [];
  const producer = {
    send: async (batch: Sent) => {
      sent.push(batch);
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

const requests: DeletionRequested[] = ["r1", "r2"].map((recordId) => ({
  schemaVersion: 1,
  recordId,
  requestedAt: "2026-12-01T00:00:00.000Z",
}));

describe("KafkaBulkPublisher", () => {
  it("signs each record request a bulk publishes when given a signer, so workers requiring signatures accept them", async () => {
    const key = generateKeyPairSync("ed25519");
    const { producer, sent } = recordingProducer();
    await new KafkaBulkPublisher(
      producer,
      { requests: "requests", completions: "done" },
      "w1",
      requestSigner("w1", key.privateKey),
    ).publishRequests("b1", requests);
    const messages = sent[0]?.messages ?? [];
    expect(messages.map((m) => m.key)).toEqual(["r1", "r2"]);
    for (const m of messages) {
      expect(m.headers[BULK_HEADERS.bulkId]).toBe("b1");
      const check = checkRequestSignature(
        { key: Buffer.from(m.key), value: m.value, headers: m.headers },
        new Map([["w1", key.publicKey]]),
      );
      expect(check).toBeUndefined();
    }
  });

  it("publishes unsigned requests without a signer", async () => {
    const { producer, sent } = recordingProducer();
    await new KafkaBulkPublisher(producer, { requests: "requests", completions: "done" }).publishRequests(
      "b1",
      requests,
    );
    expect(sent[0]?.messages.map((m) => Object.keys(m.headers))).toEqual([["bulk-id"], ["bulk-id"]]);
  });
});
