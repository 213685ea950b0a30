import type { Resonate } from "@resonatehq/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { inProcessRuntime, input, RecordingPublisher, ScriptedStore } from "./fakes.js";

let resonate: Resonate | undefined;
afterEach(async () => {
  await resonate?.stop();
  resonate = undefined;
});

function setup(scripts: ConstructorParameters<typeof ScriptedStore>[0]) {
  const store = new ScriptedStore(scripts);
  const publisher = new RecordingPublisher();
  const client = inProcessRuntime(store, publisher);
  resonate = client.resonate;
  return { store, publisher, runtime: client.runtime, durability: client.durability };
}

describe("deletion workflow (in-process Resonate)", () => {
  it("deletes every batch, then publishes exactly one completion with the source position", async () => {
    const { store, publisher, runtime, durability } = setup({ "rec-a": ["more", "more", "last"] });
    expect(durability).toBe("in-process");

    const handle = await runtime.begin(input("rec-a", 41));
    const outcome = await handle.result();

    expect(handle.id).toBe("rec-a");
    expect(outcome).toEqual({
      recordId: "rec-a",
      status: "completed",
      batches: 3,
      rowsDeleted: 30,
      transientErrorsRetried: 0,
    });
    expect(store.callsFor("rec-a")).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(publisher.completions).toHaveLength(1);
    expect(publisher.completions[0]).toMatchObject({
      recordId: "rec-a",
      source: { topic: "records_to_be_deleted", partition: 0, offset: "41" },
      batches: 3,
      rowsDeleted: 30,
      transientErrorsRetried: 0,
      workflowId: "rec-a",
    });
  });

  it("retries a transient error without running completed batches again", async () => {
    const { store, publisher, runtime } = setup({
      "rec-b": ["more", "more", "transient", "transient", "more", "last"],
    });

    const outcome = await (await runtime.begin(input("rec-b"))).result();

    // batch 3 failed twice and succeeded on its third attempt; batches 1, 2 and 4 ran once each
    expect(store.callsFor("rec-b")).toEqual({ 1: 1, 2: 1, 3: 3, 4: 1 });
    expect(outcome.batches).toBe(4);
    expect(outcome.transientErrorsRetried).toBe(2);
    expect(publisher.completions.map((c) => c.transientErrorsRetried)).toEqual([2]);
  });

  it("stops at once on a permanent error and dead-letters the request instead of completing", async () => {
    const { store, publisher, runtime } = setup({ "rec-c": ["more", "permanent"] });

    const outcome = await (await runtime.begin(input("rec-c", 7))).result();

    expect(outcome).toMatchObject({ status: "failed", batches: 1, error: "permanent on rec-c#2" });
    expect(store.callsFor("rec-c")).toEqual({ 1: 1, 2: 1 });
    expect(publisher.completions).toHaveLength(0);
    expect(publisher.failures).toHaveLength(1);
    const failure = publisher.failures[0];
    expect(failure).toMatchObject({ reasonCode: "WORKFLOW_FAILED", source: { partition: 0, offset: "7" } });
    expect(failure?.reason).toMatch(/after 1 completed batches: permanent on rec-c#2/);
    expect(JSON.parse(Buffer.from(failure?.valueBase64 ?? "", "base64").toString())).toMatchObject({
      recordId: "rec-c",
    });
  });

  it("dead-letters a record whose transient errors outlast the retry budget", async () => {
    const { store, publisher, runtime } = setup({ "rec-f": Array<"transient">(20).fill("transient") });

    const outcome = await (await runtime.begin(input("rec-f"))).result();

    expect(outcome.status).toBe("failed");
    // the first attempt plus maxRetries (10) retries
    expect(store.callsFor("rec-f")).toEqual({ 1: 11 });
    expect(publisher.failures.map((f) => f.reasonCode)).toEqual(["WORKFLOW_FAILED"]);
  });

  it("gives one execution and one result for two starts with the same id", async () => {
    const { store, publisher, runtime } = setup({ "rec-d": ["more", "more", "last"] });

    const [first, second] = await Promise.all([
      runtime.begin(input("rec-d", 1, 5)),
      runtime.begin(input("rec-d", 2, 5)),
    ]);
    const [a, b] = await Promise.all([first.result(), second.result()]);

    expect(first.id).toBe(second.id);
    expect(a).toEqual(b);
    expect(store.callsFor("rec-d")).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(publisher.completions).toHaveLength(1);
    // the execution that exists is the first one's: its offset is the one reported
    expect(publisher.completions[0]?.source.offset).toBe("1");
  });

  it("does not delete again when a finished id is started again", async () => {
    const { store, publisher, runtime } = setup({ "rec-e": ["more", "last"] });
    const first = await (await runtime.begin(input("rec-e"))).result();

    const again = await runtime.begin(input("rec-e", 99));

    expect(await again.done()).toBe(true);
    expect(await again.result()).toEqual(first);
    expect(store.callsFor("rec-e")).toEqual({ 1: 1, 2: 1 });
    expect(publisher.completions).toHaveLength(1);
  });

  // The in-process network wakes sleepers on a one-second tick, so the long record (four
  // 50 ms sleeps) needs about four ticks; the short ones sleep 1 ms (already due) or not at all.
  it("runs 100 workflows concurrently: short ones overtake a long one started first", async () => {
    const scripts: Record<string, ("more" | "last")[]> = {
      long: ["more", "more", "more", "more", "last"],
    };
    const ids = Array.from({ length: 99 }, (_, i) => `short-${i}`);
    for (const [i, id] of ids.entries()) scripts[id] = i % 3 === 0 ? ["more", "last"] : ["last"];
    const { publisher, runtime } = setup(scripts);

    const longHandle = await runtime.begin(input("long", 0, 50));
    const shortHandles = await Promise.all(ids.map((id, i) => runtime.begin(input(id, i + 1, 1))));
    await Promise.all([longHandle.result(), ...shortHandles.map((h) => h.result())]);

    const order = publisher.completions.map((c) => c.recordId);
    expect(order).toHaveLength(100);
    expect(new Set(order).size).toBe(100);
    expect(order.at(-1)).toBe("long");
    expect(publisher.completions.at(-1)?.batches).toBe(5);
  }, 30_000);
});
