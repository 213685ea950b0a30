import { randomBytes, randomUUID } from "node:crypto";
import { idDigits, recordIdFor } from "@deletion/kafka";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { createResonateAuth, startResonateServer } from "@deletion/test-kit";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { SERVER_MARK } from "../fixtures/modes.js";
import { readCompletionsOf, startWorker } from "../fixtures/pipeline.js";
import {
  pipelineTopicsEnv,
  removeFiles,
  saslSslEnv,
  scramUser,
  secretFile,
  securedKafka,
  securedSkipReason,
  uncreatedPipeline,
} from "../fixtures/secured-broker.js";
import { LEVEL, runApp, stopAllApps } from "../support/index.js";

/*
 * Everything locked at once, as the secured compose variant runs it: the broker over SASL/SCRAM
 * and TLS, a Resonate server that takes only signed tokens, a worker whose token reaches only its
 * promise prefix, and promise payloads encrypted with a key of this run.
 */

afterEach(stopAllApps);
afterAll(removeFiles);

const auth = createResonateAuth();
async function ownServer(): Promise<{ server?: ResonateServer; unavailable: string }> {
  try {
    return { server: await startResonateServer({ auth }), unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    return { unavailable: ` (skipped: no Resonate server with a public key: ${err.message})` };
  }
}
const { server, unavailable } = await ownServer();
afterAll(() => server?.dispose());

const token = auth.sign({ prefix: "deletion/" });
const key = `k1:${randomBytes(32).toString("base64")}`;

/** promise.get straight from the server, as anyone holding the token could read it. */
async function storedPromise(id: string) {
  const response = await fetch(server?.url ?? "", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kind: "promise.get",
      head: { corrId: randomUUID(), version: "2026-04-01", auth: token },
      data: { id },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as {
    head: { status: number };
    data: { promise?: { param?: { data?: string }; value?: { data?: string } } };
  };
  return { status: body.head.status, promise: body.data.promise };
}

describe("the pipeline with everything secured", () => {
  it.skipIf(!server || !securedKafka)(
    `completes every record over SASL_SSL with a scoped token and encrypted payloads, and prints no secret ${SERVER_MARK}${unavailable}${securedSkipReason}`,
    async () => {
      const user = scramUser("SCRAM-SHA-512");
      const kafka = saslSslEnv({ user, passwordFile: true });
      const pipeline = uncreatedPipeline(inject("kafkaBrokers"));
      const topics = pipelineTopicsEnv(pipeline);
      const setup = await runApp("topic-setup", ["--partitions", "3"], { ...kafka, ...topics });
      expect(setup.code, setup.stderr).toBe(0);

      const worker = await startWorker(
        pipeline,
        {
          ...kafka,
          RESONATE_TOKEN_FILE: secretFile(token),
          RESONATE_PROMISE_PREFIX: "deletion",
          RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
          RESONATE_ENCRYPTION_KEY_FILE: secretFile(key),
          BATCH_SLEEP_MS: "20",
          SIM_SEED: "3",
        },
        { resonateUrl: server?.url },
      );
      const count = 12;
      const prefix = pipeline.id("locked");
      const produced = await runApp(
        "producer",
        ["-n", String(count), "--topic", pipeline.input, "--id-prefix", prefix],
        kafka,
      );
      expect(produced.code, produced.stderr).toBe(0);

      const ids = Array.from({ length: count }, (_, i) => recordIdFor(prefix, i + 1, idDigits(count)));
      const completions = await readCompletionsOf(pipeline, ids);
      expect(completions.map((c) => c.recordId).sort()).toEqual(ids);

      // What the server keeps of a record: its param and value are ciphertext, no id, no offset.
      const first = completions.find((c) => c.recordId === ids[0]);
      const stored = await storedPromise(`deletion/${ids[0]}`);
      expect(stored.status).toBe(200);
      for (const part of [stored.promise?.param?.data, stored.promise?.value?.data]) {
        expect(part).toMatch(/^aes-256-gcm\+id:k1:/);
        const text = `${part} ${Buffer.from(String(part).split(":").at(-1) ?? "", "base64").toString("latin1")}`;
        expect(text).not.toContain(ids[0]);
        expect(text).not.toContain(`"offset":"${first?.source.offset}"`);
      }

      expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      expect(worker.logs.filter((l) => l.level >= LEVEL.error)).toEqual([]);
      const printed = [
        setup.stdout,
        setup.stderr,
        produced.stdout,
        produced.stderr,
        worker.stdout(),
        worker.stderr(),
      ];
      for (const secret of [user.password, token, token.split(".")[2] as string, key, key.slice(3)]) {
        expect(printed.some((text) => text.includes(secret))).toBe(false);
      }
    },
  );
});
