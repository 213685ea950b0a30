import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { type DeadLetter, encodeDeletionRequested, REQUEST_SIGNATURE_HEADER } from "@deletion/contracts";
import { requestSigner } from "@deletion/kafka";
import type { DeletionRuntime, DeletionStart } from "@deletion/workflows";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { Dispatcher } from "../src/dispatcher.js";
import { IN_PROCESS_DURABILITY } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { PartitionOffsets } from "../src/offset-tracker.js";
import {
  checkRequestSignature,
  ed25519PublicKey,
  withSignaturesRequired,
} from "../src/request-verification.js";

const producerKey = generateKeyPairSync("ed25519");
const otherKey = generateKeyPairSync("ed25519");
const keyring = new Map([["p1", producerKey.publicKey]]);
const signer = requestSigner("p1", producerKey.privateKey);

const value = (recordId: string) =>
  encodeDeletionRequested({ schemaVersion: 1, recordId, requestedAt: "2026-12-01T00:00:00.000Z" });

function signed(recordId: string, sign = signer, key = recordId): ConsumedMessage {
  const v = value(recordId);
  return {
    topic: "requests",
    partition: 0,
    offset: "0",
    key: Buffer.from(key),
    value: v,
    timestamp: "1700000000000",
    headers: sign.headersFor(key, v),
  };
}

describe("checkRequestSignature", () => {
  it("accepts a request signed by a configured key over its key and value", () => {
    expect(checkRequestSignature(signed("r1"), keyring)).toBeUndefined();
    // As the Kafka client hands headers over: Buffers.
    const m = signed("r1");
    const headers = {
      [REQUEST_SIGNATURE_HEADER]: Buffer.from(String(m.headers?.[REQUEST_SIGNATURE_HEADER])),
    };
    expect(checkRequestSignature({ ...m, headers }, keyring)).toBeUndefined();
  });

  it("refuses an unsigned request", () => {
    const { headers: _, ...unsigned } = signed("r1");
    expect(checkRequestSignature(unsigned, keyring)).toEqual({
      code: "UNAUTHENTICATED",
      reason: "the request carries no deletion-signature header",
    });
  });

  it("refuses a request signed with the wrong key under a known key id", () => {
    const wrong = requestSigner("p1", otherKey.privateKey);
    expect(checkRequestSignature(signed("r1", wrong), keyring)).toEqual({
      code: "UNAUTHENTICATED",
      reason: "the signature by key id p1 does not verify over the request's key and value",
    });
  });

  it("refuses a key id it does not know, naming the ones it does", () => {
    const unknown = requestSigner("p9", producerKey.privateKey);
    expect(checkRequestSignature(signed("r1", unknown), keyring)?.reason).toBe(
      "the request is signed by key id p9, which is not among the configured keys (p1)",
    );
  });

  it("refuses a tampered value or key", () => {
    const m = signed("r1");
    const tamperedValue = { ...m, value: value("r2") };
    expect(checkRequestSignature(tamperedValue, keyring)?.code).toBe("UNAUTHENTICATED");
    const tamperedKey = { ...m, key: Buffer.from("r2") };
    expect(checkRequestSignature(tamperedKey, keyring)?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a malformed or repeated header", () => {
    const m = signed("r1");
    expect(
      checkRequestSignature({ ...m, headers: { [REQUEST_SIGNATURE_HEADER]: "v1:p1:abc" } }, keyring)?.reason,
    ).toMatch(/must be v1:<key id>:<64 bytes of base64url>/);
    const twice = { [REQUEST_SIGNATURE_HEADER]: ["a", "b"] };
    expect(checkRequestSignature({ ...m, headers: twice }, keyring)?.code).toBe("UNAUTHENTICATED");
  });

  it("keeps deletion and bulk signatures apart: one never verifies as the other", () => {
    const m = signed("r1");
    expect(checkRequestSignature(m, keyring, "bulk")?.reason).toBe(
      "the signature by key id p1 does not verify over the request's key and value",
    );
    const bulkSigned = { ...m, headers: signer.headersFor("r1", m.value ?? Buffer.alloc(0), "bulk") };
    expect(checkRequestSignature(bulkSigned, keyring, "bulk")).toBeUndefined();
    expect(checkRequestSignature(bulkSigned, keyring)?.code).toBe("UNAUTHENTICATED");
  });

  it("makes a key mismatch an authentication failure when signatures are required", () => {
    expect(withSignaturesRequired({ code: "KEY_MISMATCH", reason: "x" })).toEqual({
      code: "UNAUTHENTICATED",
      reason: "x",
    });
    expect(withSignaturesRequired({ code: "INVALID_JSON", reason: "y" })).toEqual({
      code: "INVALID_JSON",
      reason: "y",
    });
  });

  it("reads only Ed25519 public keys", () => {
    const pem = (k: { export(o: { type: "spki"; format: "pem" }): string | Buffer }) =>
      String(k.export({ type: "spki", format: "pem" }));
    expect(ed25519PublicKey(pem(producerKey.publicKey)).ok).toBe(true);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(ed25519PublicKey(pem(rsa.publicKey))).toEqual({ ok: false, problem: "is a rsa key, not Ed25519" });
    expect(ed25519PublicKey("not a key")).toEqual({ ok: false, problem: "is not a PEM public key" });
  });
});

describe("Dispatcher with signatures required", () => {
  function setup() {
    const published: DeadLetter[] = [];
    const begun: string[] = [];
    const runtime: DeletionRuntime = {
      begin: async (request) => {
        begun.push(request.recordId);
        const start: DeletionStart = {
          kind: "finished",
          attempt: 1,
          promiseId: `deletion/${request.recordId}`,
          status: "completed",
        };
        return start;
      },
    };
    const dispatcher = new Dispatcher({
      runtime,
      durability: IN_PROCESS_DURABILITY,
      publishDeadLetter: async (d) => {
        published.push(d);
      },
      requestKeyring: keyring,
      batchSleepMs: 10,
      logger: pino({ level: "silent" }, new Writable({ write: (_c, _e, done) => done() })),
      metrics: new WorkerMetrics({ processMetrics: false }),
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
    });
    return { dispatcher, published, begun, partition: new PartitionOffsets("requests", 0) };
  }

  it("starts signed requests and dead-letters unsigned, tampered and mismatched ones as UNAUTHENTICATED", async () => {
    const { dispatcher, published, begun, partition } = setup();
    const at = (m: ConsumedMessage, offset: number) => ({ ...m, offset: String(offset) });
    const { headers: _, ...unsigned } = signed("r2");
    dispatcher.accept(at(signed("r1"), 0), partition);
    dispatcher.accept(at(unsigned, 1), partition);
    dispatcher.accept(at({ ...signed("r3"), value: value("r4") }, 2), partition);
    dispatcher.accept(at(signed("r5", signer, "r6"), 3), partition);
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(4n));
    expect(begun).toEqual(["r1"]);
    expect(published.map((d) => [d.source.offset, d.reasonCode])).toEqual([
      ["1", "UNAUTHENTICATED"],
      ["2", "UNAUTHENTICATED"],
      ["3", "UNAUTHENTICATED"],
    ]);
  });
});
