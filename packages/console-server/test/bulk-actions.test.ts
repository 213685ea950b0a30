import { generateKeyPairSync, verify } from "node:crypto";
import { REQUEST_SIGNATURE_HEADER, RequestSignatureSchema, requestSignedBytes } from "@deletion/contracts";
import { type Kafka, requestSigner } from "@deletion/kafka";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BulkActions } from "../src/bulk-actions.js";
import type { BulkBoard } from "../src/bulk-board.js";

type Sent = { topic: string; messages: { key: string; value: Buffer; headers?: Record<string, string> }[] };

function actions(signer?: ReturnType<typeof requestSigner>) {
  const sent: Sent[] = [];
  const kafka = {
    producer: () => ({
      connect: async () => {},
      disconnect: async () => {},
      send: async (batch: Sent) => {
        sent.push(batch);
        return [];
      },
    }),
  } as unknown as Kafka;
  const board = {
    track: () => {},
    readOne: async () => ({ state: "completed", softDeleted: 1 }),
  } as unknown as BulkBoard;
  const bulk = new BulkActions(kafka, board, {
    requestTopic: "bulk",
    cancel: async () => ({ ok: true, alreadyRequested: false }),
    firstCountWithinMs: 0,
    signer,
    logger: pino({ level: "silent" }),
  });
  return { bulk, sent };
}

describe("BulkActions.submit", () => {
  it("signs each bulk request with the bulk domain when the console has a signing key", async () => {
    const key = generateKeyPairSync("ed25519");
    const { bulk, sent } = actions(requestSigner("c1", key.privateKey));
    await bulk.submit({ ids: ["r1", "r2"] });
    const [message] = sent[0]?.messages ?? [];
    const header = RequestSignatureSchema.parse(message?.headers?.[REQUEST_SIGNATURE_HEADER]);
    expect(header.keyId).toBe("c1");
    const bytes = (kind: "bulk" | "deletion") =>
      requestSignedBytes(Buffer.from(message?.key ?? ""), message?.value ?? null, kind);
    expect(verify(null, bytes("bulk"), key.publicKey, header.signature)).toBe(true);
    expect(verify(null, bytes("deletion"), key.publicKey, header.signature)).toBe(false);
  });

  it("publishes without a signature header when it has no key", async () => {
    const { bulk, sent } = actions();
    await bulk.submit({ ids: ["r1"] });
    expect(sent[0]?.messages[0]?.headers).toBeUndefined();
  });
});
