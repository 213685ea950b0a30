import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { startResonateServer } from "@deletion/test-kit";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { SERVER_MARK } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { removeFiles, secretFile } from "../fixtures/secured-broker.js";
import { runApp, stopAllApps } from "../support/index.js";

/*
 * With a promise id key, the Resonate server never holds a record id: not in a promise id, a
 * tag, a param or a value (payloads encrypted, strict). Checked on the server's own storage
 * (its SQLite file, when the server runs here) and through its promise listing.
 */

afterEach(stopAllApps);
afterAll(removeFiles);

const dataDir = await mkdtemp(join(tmpdir(), "keyed-ids-resonate-"));
async function ownServer(): Promise<{ server?: ResonateServer; unavailable: string }> {
  try {
    return { server: await startResonateServer({ kind: "binary", dataDir }), unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    return { unavailable: ` (skipped: no Resonate server binary: ${err.message})` };
  }
}
const { server, unavailable } = await ownServer();
afterAll(async () => {
  await server?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

const idKey = randomBytes(32).toString("base64");
const payloadKey = `k1:${randomBytes(32).toString("base64")}`;
const keyedEnv = {
  RESONATE_PROMISE_ID_KEY_FILE: secretFile(idKey),
  RESONATE_ENCRYPTION_KEY_FILE: secretFile(payloadKey),
};

/** The promise id of a record's first attempt: HMAC-SHA-256 of the record id, 16 bytes, base64url. */
const keyedSegment = (recordId: string) =>
  createHmac("sha256", Buffer.from(idKey, "base64"))
    .update(recordId)
    .digest()
    .subarray(0, 16)
    .toString("base64url");

interface ListedPromise {
  id: string;
  state: string;
  tags?: Record<string, string>;
}

/** Every promise on the server, through its search API, page by page. */
async function listPromises(url: string): Promise<ListedPromise[]> {
  const all: ListedPromise[] = [];
  for (const state of ["pending", "resolved", "rejected"]) {
    let cursor: string | undefined;
    do {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          kind: "promise.search",
          head: { corrId: randomUUID(), version: "2026-04-01" },
          data: { state, limit: 100, ...(cursor ? { cursor } : {}) },
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as {
        head: { status: number };
        data: { promises?: ListedPromise[]; cursor?: string };
      };
      expect(body.head.status).toBe(200);
      all.push(...(body.data.promises ?? []));
      cursor = body.data.cursor;
    } while (cursor);
  }
  return all;
}

/** The bytes of the server's SQLite database (with its write-ahead log), as text. */
async function storageText(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.startsWith("resonate.db"));
  expect(files).toContain("resonate.db");
  const parts = await Promise.all(files.map((f) => readFile(join(dir, f))));
  return Buffer.concat(parts).toString("latin1");
}

describe("promise ids with an id key", () => {
  it.skipIf(!server)(
    `delete records, then find no record id in the server's storage or promise listing ${SERVER_MARK}${unavailable}`,
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const ids = Array.from({ length: 8 }, (_, i) => pipeline.id(`person-${i + 1}`));
      const worker = await startWorker(
        pipeline,
        {
          ...keyedEnv,
          RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
          RESONATE_PAYLOAD_STRICT: "true",
          BATCH_SLEEP_MS: "10",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: ids.map((id) => `${id}=2`).join(","),
        },
        { resonateUrl: server.url },
      );
      await produceInOrder(
        brokers,
        pipeline.input,
        ids.map((id) => ({ key: id, value: requestJson(id) })),
      );
      const completions = await readCompletionsOf(pipeline, ids);
      for (const id of ids) {
        const completion = completions.find((c) => c.recordId === id);
        expect(completion?.batches).toBe(2);
        expect(completion?.idempotencyKey).toBe(`deletion/${keyedSegment(id)}`);
      }

      // status with the same key finds the record; without it, it looks under the plain id and finds nothing.
      const withKey = await runApp("status", ["--json", ids[0] as string], {
        RESONATE_URL: server.url,
        DATABASE_URL: "",
        ...keyedEnv,
        RESONATE_PAYLOAD_STRICT: "true",
      });
      expect(withKey.code, withKey.stderr).toBe(0);
      expect(JSON.parse(withKey.stdout)).toMatchObject({ state: "done", recordId: ids[0], batches: 2 });
      const withoutKey = await runApp("status", ["--json", ids[0] as string], {
        RESONATE_URL: server.url,
        DATABASE_URL: "",
        RESONATE_ENCRYPTION_KEY_FILE: keyedEnv.RESONATE_ENCRYPTION_KEY_FILE,
      });
      expect(JSON.parse(withoutKey.stdout)).toMatchObject({ state: "unknown" });

      const listed = await listPromises(server.url);
      const ours = listed.filter((p) => p.id.startsWith("deletion/"));
      // Each record's workflow and its steps: more than one promise per record.
      expect(ours.length).toBeGreaterThan(ids.length);
      const listing = JSON.stringify(listed);
      expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      await server.stop();
      const storage = await storageText(dataDir);
      expect(storage).toContain(keyedSegment(ids[0] as string));
      for (const id of ids) {
        expect(listing.includes(id), `${id} in the promise listing`).toBe(false);
        expect(storage.includes(id), `${id} in the server's SQLite storage`).toBe(false);
      }
      await server.start();
    },
  );
});
