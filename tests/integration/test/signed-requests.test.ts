import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BULK_HEADERS,
  BULK_LOG_EVENTS,
  BulkDeletionCompletedSchema,
  decodeMessage,
  encodeDeletionRequested,
  MESSAGE_HEADERS,
  REQUEST_SIGNATURE_HEADER,
} from "@deletion/contracts";
import { createIdempotentProducer, createKafka, idDigits, recordIdFor, requestSigner } from "@deletion/kafka";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import { createPipeline, decodeCompletions, decodeDeadLetters, startWorker } from "../fixtures/pipeline.js";
import { readTopic, runApp, stopAllApps } from "../support/index.js";

/*
 * Workers that require signed requests, against the real broker and server: the producer and
 * redrive sign with the right key and their requests are deleted; a wrong key, a tampered value,
 * no signature and a signed key that names another record are dead-lettered as UNAUTHENTICATED.
 * Bulk requests too: a bulk the bulk command signed runs (its worker signs the record requests it
 * publishes with a key of its own); an unsigned one is dead-lettered.
 */

afterEach(stopAllApps);
const dir = mkdtempSync(join(tmpdir(), "signed-requests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const producerKey = generateKeyPairSync("ed25519");
const wrongKey = generateKeyPairSync("ed25519");
const write = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const publicFile = write("p1.pub", producerKey.publicKey.export({ type: "spki", format: "pem" }));
const privateFile = write("p1.pem", producerKey.privateKey.export({ type: "pkcs8", format: "pem" }));
const wrongFile = write("wrong.pem", wrongKey.privateKey.export({ type: "pkcs8", format: "pem" }));
const workerKey = generateKeyPairSync("ed25519");
const workerPublicFile = write("w1.pub", workerKey.publicKey.export({ type: "spki", format: "pem" }));
const workerPrivateFile = write("w1.pem", workerKey.privateKey.export({ type: "pkcs8", format: "pem" }));

const request = (recordId: string) =>
  encodeDeletionRequested({ schemaVersion: 1, recordId, requestedAt: new Date().toISOString() });

describe("signed requests", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "delete what the right key signed; dead-letter a wrong key, a tampered value, no signature and a mismatched key as UNAUTHENTICATED",
    ),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const failing = pipeline.id("failing");
      const worker = await startWorker(
        pipeline,
        {
          REQUEST_SIGNATURE_KEYS: `p1=${publicFile}`,
          BATCH_SLEEP_MS: "10",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FAIL_IDS: failing,
        },
        { resonateUrl: resonateServerUrl },
      );
      // No signing key of its own: a bulk's record requests would go unsigned, and it says so.
      expect(worker.logs.some((l) => l.event === BULK_LOG_EVENTS.bulkRequestsUnsigned)).toBe(true);
      const produced = (prefix: string, n: number) => recordIdFor(pipeline.id(prefix), n, idDigits(2));
      const produce = (prefix: string, env: Record<string, string>) =>
        runApp("producer", ["-n", "2", "--topic", pipeline.input, "--id-prefix", pipeline.id(prefix)], {
          KAFKA_BROKERS: brokers,
          ...env,
        });
      const signedRun = await produce("signed", {
        REQUEST_SIGNING_KEY_FILE: privateFile,
        REQUEST_SIGNING_KEY_ID: "p1",
      });
      expect(signedRun.code, signedRun.stderr).toBe(0);
      const wrongRun = await produce("wrong", {
        REQUEST_SIGNING_KEY_FILE: wrongFile,
        REQUEST_SIGNING_KEY_ID: "p1",
      });
      expect(wrongRun.code, wrongRun.stderr).toBe(0);
      const unsignedRun = await produce("unsigned", {});
      expect(unsignedRun.code, unsignedRun.stderr).toBe(0);

      // By hand: a value other than the one signed, a signed key naming another record, and a
      // signed request whose deletion fails (for redrive below).
      const signer = requestSigner("p1", producerKey.privateKey);
      const tampered = pipeline.id("tampered");
      const mismatched = pipeline.id("mismatched");
      const producer = createIdempotentProducer(createKafka({ brokers, clientId: "signed-requests-test" }));
      await producer.connect();
      const original = request(tampered);
      await producer.send({
        topic: pipeline.input,
        messages: [
          {
            key: tampered,
            // The same request in other bytes: the signature covers the bytes, not the meaning.
            value: `${request(tampered).subarray(0, -1).toString()} }`,
            headers: signer.headersFor(tampered, original),
          },
          {
            key: mismatched,
            value: request(`${mismatched}-other`),
            headers: signer.headersFor(mismatched, request(`${mismatched}-other`)),
          },
          { key: failing, value: request(failing), headers: signer.headersFor(failing, request(failing)) },
        ],
      });
      await producer.disconnect();

      const unauthenticated = [
        produced("wrong", 1),
        produced("wrong", 2),
        produced("unsigned", 1),
        produced("unsigned", 2),
        tampered,
        mismatched,
      ];
      const letters = decodeDeadLetters(
        await readTopic(brokers, pipeline.deadLetters, {
          expected: unauthenticated.length + 1,
          timeoutMs: 90_000,
        }),
      );
      const byKey = (code: string) =>
        letters
          .filter((d) => d.reasonCode === code)
          .map((d) => Buffer.from(d.keyBase64 ?? "", "base64").toString())
          .sort();
      expect(byKey("UNAUTHENTICATED")).toEqual([...unauthenticated].sort());
      expect(byKey("WORKFLOW_FAILED")).toEqual([failing]);

      // Redrive signs what it re-publishes: the failed record's second attempt is accepted.
      const redrive = await runApp(
        "redrive",
        [
          "--dead-letter-topic",
          pipeline.deadLetters,
          "--input-topic",
          pipeline.input,
          "--group-id",
          `${pipeline.groupId}.redrive`,
        ],
        { KAFKA_BROKERS: brokers, REQUEST_SIGNING_KEY_FILE: privateFile, REQUEST_SIGNING_KEY_ID: "p1" },
      );
      expect(redrive.code, redrive.stderr).toBe(0);
      // The re-published request is the one with the redriven-from header (partitions interleave).
      const republished = (await readTopic(brokers, pipeline.input)).find(
        (m) => m.headers[MESSAGE_HEADERS.redrivenFrom] !== undefined,
      );
      expect(republished?.key).toBe(failing);
      expect(republished?.headers[REQUEST_SIGNATURE_HEADER]).toMatch(/^v1:p1:/);

      const completed = [produced("signed", 1), produced("signed", 2), failing];
      const completions = decodeCompletions(
        await readTopic(brokers, pipeline.output, {
          until: (messages) => completed.every((id) => messages.some((m) => m.key === id)),
          timeoutMs: 90_000,
        }),
      );
      expect([...new Set(completions.map((c) => c.recordId))].sort()).toEqual([...completed].sort());
      expect(completions.find((c) => c.recordId === failing)?.attempt).toBe(2);
    },
  );

  it.skipIf(!resonateServerUrl)(
    needsServer(
      "a bulk the bulk command signed runs to its end, its record requests signed by the worker; an unsigned bulk is dead-lettered as UNAUTHENTICATED",
    ),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const worker = await startWorker(
        pipeline,
        {
          REQUEST_SIGNATURE_KEYS: `p1=${publicFile},w1=${workerPublicFile}`,
          REQUEST_SIGNING_KEY_FILE: workerPrivateFile,
          REQUEST_SIGNING_KEY_ID: "w1",
          BATCH_SLEEP_MS: "10",
          SIM_TRANSIENT_ERROR_RATE: "0",
        },
        { resonateUrl: resonateServerUrl },
      );
      expect(worker.logs.some((l) => l.event === BULK_LOG_EVENTS.bulkRequestsUnsigned)).toBe(false);
      const ids = ["a", "b", "c"].map((n) => pipeline.id(`bulk-${n}`));
      const idsFile = write(`${pipeline.id("ids")}.txt`, `${ids.join("\n")}\n`);
      const submit = (bulkId: string, env: Record<string, string>) =>
        runApp("bulk", ["submit", "--ids-file", idsFile, "--bulk-id", bulkId], {
          KAFKA_BROKERS: brokers,
          BULK_TOPIC: pipeline.bulk.topic,
          ...env,
        });
      const signedBulk = pipeline.id("signed-bulk");
      const unsignedBulk = pipeline.id("unsigned-bulk");
      const unsignedRun = await submit(unsignedBulk, {});
      expect(unsignedRun.code, unsignedRun.stderr).toBe(0);
      const signedRun = await submit(signedBulk, {
        REQUEST_SIGNING_KEY_FILE: privateFile,
        REQUEST_SIGNING_KEY_ID: "p1",
      });
      expect(signedRun.code, signedRun.stderr).toBe(0);

      const [letter, ...more] = decodeDeadLetters(
        await readTopic(brokers, pipeline.deadLetters, { expected: 1, timeoutMs: 90_000 }),
      );
      expect(more).toEqual([]);
      expect(letter?.reasonCode).toBe("UNAUTHENTICATED");
      expect(letter?.reason).toBe("the request carries no deletion-signature header");
      expect(Buffer.from(letter?.keyBase64 ?? "", "base64").toString()).toBe(unsignedBulk);

      const completions = decodeCompletions(
        await readTopic(brokers, pipeline.output, {
          until: (messages) => ids.every((id) => messages.some((m) => m.key === id)),
          timeoutMs: 90_000,
        }),
      );
      expect([...new Set(completions.map((c) => c.recordId))].sort()).toEqual([...ids].sort());
      const bulkDone = (
        await readTopic(brokers, pipeline.bulk.completions, { expected: 1, timeoutMs: 90_000 })
      ).map((m) => {
        const decoded = decodeMessage(BulkDeletionCompletedSchema, m.value);
        if (!decoded.ok) throw new Error(decoded.error.reason);
        return decoded.value;
      });
      expect(bulkDone.map((b) => b.bulkId)).toEqual([signedBulk]);
      // Only the signed bulk published record requests, each signed by the worker's key.
      const published = (await readTopic(brokers, pipeline.input)).filter(
        (m) => m.headers[BULK_HEADERS.bulkId] !== undefined,
      );
      expect(new Set(published.map((m) => m.headers[BULK_HEADERS.bulkId]))).toEqual(new Set([signedBulk]));
      for (const m of published) expect(m.headers[REQUEST_SIGNATURE_HEADER]).toMatch(/^v1:w1:/);
    },
  );
});
