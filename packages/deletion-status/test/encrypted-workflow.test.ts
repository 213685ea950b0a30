import { randomBytes } from "node:crypto";
import { createPayloadCipher, createResonateClient } from "@deletion/resonate-client";
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

describe("a deletion with encrypted payloads (in-process network)", () => {
  it("stores its input and outcome encrypted, and reads them back for a duplicate and for status", async () => {
    const payloads = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    const { client, runtime } = runtimeWith(payloads);
    const outcome = await run(runtime, input("r1", 41));
    expect(outcome).toMatchObject({ recordId: "r1", status: "completed", batches: 2 });

    const stored = await client.resonate.promises.get("deletion/r1");
    for (const part of [stored.param.data, stored.value.data]) {
      expect(part).toMatch(/^aes-256-gcm:k1:/);
      expect(Buffer.from(String(part).split(":")[3] ?? "", "base64").toString("latin1")).not.toContain("r1");
    }
    // A duplicate request finds the attempt through the raw lookup, which decrypts it.
    expect(await runtime.begin(input("r1", 42))).toMatchObject({ kind: "finished", status: "completed" });
    const source = lookupStatusSource(promiseLookup(client.resonate, payloads), "in-process");
    expect(await readRecordStatus("r1", { ids: new PromiseIds(), source })).toMatchObject({
      state: "done",
      source: { offset: "41" },
    });
    await client.resonate.stop();
  });

  it("a lookup with the wrong keys reports the attempt as unreadable, naming the key id", async () => {
    const { client, runtime } = runtimeWith(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }));
    await run(runtime, input("r1"));
    const lookup = promiseLookup(client.resonate, createPayloadCipher({ mode: "aes-256-gcm", current: k2 }));
    const source = lookupStatusSource(lookup, "in-process");
    expect(await readRecordStatus("r1", { ids: new PromiseIds(), source })).toMatchObject({
      state: "foreign",
      reason: expect.stringContaining("key id k1, which is not among the configured keys (k2)"),
    });
    await client.resonate.stop();
  });
});
