import { generateKeyPairSync } from "node:crypto";
import type { BulkDeletionRequested, DeadLetter } from "@deletion/contracts";
import { requestSigner } from "@deletion/kafka";
import { BulkIds, type BulkRuntime } from "@deletion/workflows";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BulkDispatcher } from "../src/bulk-dispatcher.js";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { SERVER_DURABILITY } from "../src/durability.js";
import { PartitionOffsets } from "../src/offset-tracker.js";

function setup(requestKeyring?: Map<string, ReturnType<typeof generateKeyPairSync>["publicKey"]>) {
  const begun: BulkDeletionRequested[] = [];
  const safe = Promise.withResolvers<void>();
  const runtime: BulkRuntime = {
    ids: new BulkIds("deletion"),
    begin: async (request) => {
      begun.push(request);
      return {
        promiseId: `deletion/_bulk/${request.bulkId}`,
        attached: begun.filter((b) => b.bulkId === request.bulkId).length > 1,
        end: () => new Promise(() => {}),
      };
    },
  };
  const deadLetters: DeadLetter[] = [];
  const partition = new PartitionOffsets("bulk", 0);
  const dispatcher = new BulkDispatcher({
    runtime,
    durability: SERVER_DURABILITY,
    selectors: new Map([["tenant", ["tenant"]]]),
    publishDeadLetter: async (d) => {
      deadLetters.push(d);
    },
    requestKeyring,
    logger: pino({ level: "silent" }),
    onSafe: () => {
      if (partition.inFlight === 0) safe.resolve();
    },
  });
  return { begun, deadLetters, dispatcher, partition, allSafe: safe.promise };
}

const message = (key: string, value: unknown, offset: number): ConsumedMessage => ({
  topic: "bulk",
  partition: 0,
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
  timestamp: "1700000000000",
});
const bulk = (bulkId: string, selector: string, params: Record<string, string>) => ({
  schemaVersion: 1,
  bulkId,
  requestedAt: "2026-12-01T00:00:00.000Z",
  selector,
  params,
});

describe("BulkDispatcher", () => {
  it("starts a configured selector's bulk and dead-letters unknown selectors and bad messages with reasons", async () => {
    const { begun, deadLetters, dispatcher, partition, allSafe } = setup();
    dispatcher.accept(message("b1", bulk("b1", "tenant", { tenant: "acme" }), 0), partition);
    dispatcher.accept(message("b2", bulk("b2", "region", { region: "eu" }), 1), partition);
    dispatcher.accept(message("b3", bulk("b3", "tenant", { tenant: "acme", sql: "1=1" }), 2), partition);
    dispatcher.accept(message("b4", "{not json", 3), partition);
    dispatcher.accept(message("other", bulk("b5", "tenant", { tenant: "acme" }), 4), partition);
    await allSafe;
    expect(begun.map((b) => b.bulkId)).toEqual(["b1"]);
    expect(deadLetters.map((d) => [d.source.offset, d.reasonCode])).toEqual([
      ["1", "UNKNOWN_SELECTOR"],
      ["2", "UNKNOWN_SELECTOR"],
      ["3", "INVALID_JSON"],
      ["4", "KEY_MISMATCH"],
    ]);
    expect(deadLetters[0]?.reason).toMatch(
      /selector "region" is not configured on this deployment \(configured: tenant\)/,
    );
    expect(partition.commitPosition()).toBe(5n);
  });

  describe("with signed requests required", () => {
    const producerKey = generateKeyPairSync("ed25519");
    const keyring = new Map([["p1", producerKey.publicKey]]);
    const signer = requestSigner("p1", producerKey.privateKey);
    const signed = (
      m: ConsumedMessage,
      kind: "bulk" | "deletion" = "bulk",
      by = signer,
    ): ConsumedMessage => ({
      ...m,
      headers: by.headersFor(m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0), kind),
    });

    it("starts a bulk signed by a configured key; dead-letters unsigned, badly signed and tampered ones as UNAUTHENTICATED", async () => {
      const { begun, deadLetters, dispatcher, partition, allSafe } = setup(keyring);
      const good = message("b1", bulk("b1", "tenant", { tenant: "acme" }), 0);
      const stranger = requestSigner("p1", generateKeyPairSync("ed25519").privateKey);
      dispatcher.accept(signed(good), partition);
      dispatcher.accept(message("b2", bulk("b2", "tenant", { tenant: "acme" }), 1), partition);
      dispatcher.accept(
        signed(message("b3", bulk("b3", "tenant", { tenant: "a" }), 2), "bulk", stranger),
        partition,
      );
      // A deletion request's signature over the same bytes: another domain, not a bulk signature.
      dispatcher.accept(
        signed(message("b4", bulk("b4", "tenant", { tenant: "a" }), 3), "deletion"),
        partition,
      );
      const tampered = signed(message("b5", bulk("b5", "tenant", { tenant: "a" }), 4));
      dispatcher.accept(
        { ...tampered, value: Buffer.from(JSON.stringify(bulk("b5", "tenant", { tenant: "b" }))) },
        partition,
      );
      // Signed, but under a key that is not its bulkId.
      dispatcher.accept(signed(message("other", bulk("b6", "tenant", { tenant: "a" }), 5)), partition);
      await allSafe;
      expect(begun.map((b) => b.bulkId)).toEqual(["b1"]);
      expect(deadLetters.map((d) => [d.source.offset, d.reasonCode])).toEqual([
        ["1", "UNAUTHENTICATED"],
        ["2", "UNAUTHENTICATED"],
        ["3", "UNAUTHENTICATED"],
        ["4", "UNAUTHENTICATED"],
        ["5", "UNAUTHENTICATED"],
      ]);
      expect(deadLetters[0]?.reason).toBe("the request carries no deletion-signature header");
      expect(deadLetters[2]?.reason).toBe(
        "the signature by key id p1 does not verify over the request's key and value",
      );
      expect(partition.commitPosition()).toBe(6n);
    });

    it("checks nothing when no keys are configured", async () => {
      const { begun, deadLetters, dispatcher, partition, allSafe } = setup();
      dispatcher.accept(message("b1", bulk("b1", "tenant", { tenant: "acme" }), 0), partition);
      await allSafe;
      expect(begun.map((b) => b.bulkId)).toEqual(["b1"]);
      expect(deadLetters).toEqual([]);
    });
  });
});
