import { randomBytes } from "node:crypto";
import {
  createPayloadCipher,
  createResonateClient,
  openStoredPromise,
  type ResonateClient,
  type StoredPromise,
} from "@deletion/resonate-client";
import { PromiseIds, promiseLookup, registerDeletionWorkflow } from "@deletion/workflows";
import { describe, expect, it } from "vitest";
import { input, RecordingPublisher, run, ScriptedStore } from "../../workflows/test/fakes.js";
import { lookupStatusSource, readRecordStatus } from "../src/index.js";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };

function runtimeWith(payloads: ReturnType<typeof createPayloadCipher>) {
  const client = createResonateClient({ group: "t", pid: "enc", ttlMs: 60_000, logLevel: "error", payloads });
  const runtime = registerDeletionWorkflow(client.resonate, {
    store: new ScriptedStore({ r1: ["more", "last"] }),
    publisher: new RecordingPublisher(),
    batchRetry: { initialDelayMs: 5, maxDelayMs: 20, maxRetries: 3 },
    payloads,
  });
  return { client, runtime };
}

/** A promise as the in-process network stores it: past the client's opening network. */
async function rawPromise(client: ResonateClient, id: string): Promise<StoredPromise> {
  const network = (
    client.resonate as unknown as { network: { inner: { send: (req: unknown) => Promise<unknown> } } }
  ).network.inner;
  const answer = (await network.send({
    kind: "promise.get",
    head: { corrId: "raw", version: "" },
    data: { id },
  })) as { data: { promise: StoredPromise } };
  return answer.data.promise;
}

describe("a deletion with encrypted payloads (in-process network)", () => {
  it("stores its input and outcome encrypted, and reads them back for a duplicate and for status", async () => {
    const payloads = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    const { client, runtime } = runtimeWith(payloads);
    const outcome = await run(runtime, input("r1", 41));
    expect(outcome).toMatchObject({ recordId: "r1", status: "completed", batches: 2 });

    const stored = await rawPromise(client, "deletion/r1");
    for (const part of [stored.param?.data, stored.value?.data]) {
      expect(part).toMatch(/^aes-256-gcm\+id:k1:/);
      expect(Buffer.from(String(part).split(":")[3] ?? "", "base64").toString("latin1")).not.toContain("r1");
    }
    // A duplicate request finds the attempt through the raw lookup, which decrypts it.
    expect(await runtime.begin(input("r1", 42))).toMatchObject({ kind: "finished", status: "completed" });
    const source = lookupStatusSource(promiseLookup(client.resonate), "in-process");
    expect(await readRecordStatus("r1", { ids: new PromiseIds(), source })).toMatchObject({
      state: "done",
      source: { offset: "41" },
    });
    await client.resonate.stop();
  });

  it("a reader with the wrong keys reports the attempt as unreadable, naming the key id", async () => {
    const { client, runtime } = runtimeWith(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }));
    await run(runtime, input("r1"));
    const wrongKeys = createPayloadCipher({ mode: "aes-256-gcm", current: k2 });
    const source = lookupStatusSource(
      async (id) => openStoredPromise(await rawPromise(client, id), wrongKeys),
      "in-process",
    );
    expect(await readRecordStatus("r1", { ids: new PromiseIds(), source })).toMatchObject({
      state: "foreign",
      reason: expect.stringContaining("key id k1, which is not among the configured keys (k2)"),
    });
    await client.resonate.stop();
  });
});
