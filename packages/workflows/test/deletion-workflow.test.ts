import type { Resonate } from "@resonatehq/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { inProcessRuntime, input, RecordingPublisher, run, ScriptedStore } from "./fakes.js";

let resonate: Resonate | undefined;
afterEach(async () => {
  await resonate?.stop();
  resonate = undefined;
});

function setup(scripts: ConstructorParameters<typeof ScriptedStore>[0], promisePrefix?: string) {
  const store = new ScriptedStore(scripts);
  const publisher = new RecordingPublisher();
  const client = inProcessRuntime(store, publisher, promisePrefix);
  resonate = client.resonate;
  return { store, publisher, runtime: client.runtime, durability: client.durability };
}

describe("deletion workflow (in-process Resonate)", () => {
  it("deletes every batch, then publishes exactly one completion with the source position", async () => {
    const { store, publisher, runtime, durability } = setup({ "rec-a": ["more", "more", "last"] });
    expect(durability).toBe("in-process");

    const start = await runtime.begin(input("rec-a", 41));
    expect(start).toMatchObject({
      kind: "started",
      attempt: 1,
      promiseId: "deletion/rec-a",
      attached: false,
    });
    const end = start.kind === "started" ? await start.end() : undefined;
    const outcome = end?.kind === "finished" ? end.outcome : undefined;

    expect(outcome).toEqual({
      recordId: "rec-a",
      attempt: 1,
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
      workflowId: "deletion/rec-a",
      idempotencyKey: "deletion/rec-a",
      attempt: 1,
    });
  });

  it("retries a transient error without running completed batches again", async () => {
    const { store, publisher, runtime } = setup({
      "rec-b": ["more", "more", "transient", "transient", "more", "last"],
    });

    const outcome = await run(runtime, input("rec-b"));

    // batch 3 failed twice and succeeded on its third attempt; batches 1, 2 and 4 ran once each
    expect(store.callsFor("rec-b")).toEqual({ 1: 1, 2: 1, 3: 3, 4: 1 });
    expect(outcome.batches).toBe(4);
    expect(outcome.transientErrorsRetried).toBe(2);
    expect(publisher.completions.map((c) => c.transientErrorsRetried)).toEqual([2]);
  });

  it("stops at once on a permanent error and dead-letters the request instead of completing", async () => {
    const { store, publisher, runtime } = setup({ "rec-c": ["more", "permanent"] });

    const outcome = await run(runtime, input("rec-c", 7));

    expect(outcome).toMatchObject({ status: "failed", batches: 1, error: "permanent on rec-c#2" });
    expect(store.callsFor("rec-c")).toEqual({ 1: 1, 2: 1 });
    expect(publisher.completions).toHaveLength(0);
    expect(publisher.failures).toHaveLength(1);
    const failure = publisher.failures[0];
    expect(failure).toMatchObject({ reasonCode: "WORKFLOW_FAILED", source: { partition: 0, offset: "7" } });
    expect(failure?.reason).toMatch(
      /attempt 1 \(promise deletion\/rec-c\) failed after 1 completed batches: permanent on rec-c#2/,
    );
    expect(JSON.parse(Buffer.from(failure?.valueBase64 ?? "", "base64").toString())).toMatchObject({
      recordId: "rec-c",
    });
  });

  it("dead-letters a record whose transient errors outlast the retry budget", async () => {
    const { store, publisher, runtime } = setup({ "rec-f": Array<"transient">(20).fill("transient") });

    const outcome = await run(runtime, input("rec-f"));

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
    if (first.kind !== "started" || second.kind !== "started") throw new Error("both must start or attach");
    const [a, b] = await Promise.all([first.end(), second.end()]);

    expect(first.promiseId).toBe(second.promiseId);
    expect(a).toEqual(b);
    expect(store.callsFor("rec-d")).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(publisher.completions).toHaveLength(1);
    // the execution that exists is the first one's: its offset is the one reported
    expect(publisher.completions[0]?.source.offset).toBe("1");
  });

  it("does not delete again when a finished id is started again", async () => {
    const { store, publisher, runtime } = setup({ "rec-e": ["more", "last"] });
    const first = await run(runtime, input("rec-e"));
    expect(first.status).toBe("completed");

    const again = await runtime.begin(input("rec-e", 99));

    expect(again).toEqual({ kind: "finished", attempt: 1, promiseId: "deletion/rec-e", status: "completed" });
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

    await Promise.all([
      run(runtime, input("long", 0, 50)),
      ...ids.map((id, i) => run(runtime, input(id, i + 1, 1))),
    ]);

    const order = publisher.completions.map((c) => c.recordId);
    expect(order).toHaveLength(100);
    expect(new Set(order).size).toBe(100);
    expect(order.at(-1)).toBe("long");
    expect(publisher.completions.at(-1)?.batches).toBe(5);
  }, 30_000);

  it("retries a failed deletion as attempt 2 on a new request, not on a redelivery of the first", async () => {
    const { store, publisher, runtime } = setup({ "rec-g": ["permanent", "more", "last"] });
    expect(await run(runtime, input("rec-g", 3))).toMatchObject({ status: "failed", attempt: 1 });

    // The same request again (a redelivery): already answered by a dead letter, not retried.
    expect(await runtime.begin(input("rec-g", 3))).toEqual({
      kind: "finished",
      attempt: 1,
      promiseId: "deletion/rec-g",
      status: "failed",
    });

    const retry = await runtime.begin(input("rec-g", 8));
    expect(retry).toMatchObject({
      kind: "started",
      attempt: 2,
      promiseId: "deletion/rec-g/attempt-2",
      retryOf: "deletion/rec-g",
      attached: false,
    });
    const end = retry.kind === "started" ? await retry.end() : undefined;
    expect(end).toMatchObject({ kind: "finished", outcome: { status: "completed", attempt: 2, batches: 2 } });
    expect(publisher.failures).toHaveLength(1);
    expect(publisher.completions).toMatchObject([
      { recordId: "rec-g", attempt: 2, idempotencyKey: "deletion/rec-g/attempt-2", source: { offset: "8" } },
    ]);

    // Once deleted, a further request only reports it.
    expect(await runtime.begin(input("rec-g", 9))).toMatchObject({
      kind: "finished",
      attempt: 2,
      status: "completed",
    });
    expect(store.callsFor("rec-g")).toEqual({ 1: 2, 2: 1 });
  });

  it("two requests at once for a failed id start one new attempt between them", async () => {
    const { publisher, runtime } = setup({ "rec-h": ["permanent", "last"] });
    await run(runtime, input("rec-h", 1));

    const [a, b] = await Promise.all([runtime.begin(input("rec-h", 2)), runtime.begin(input("rec-h", 3))]);
    if (a.kind !== "started" || b.kind !== "started") throw new Error("both must start or attach");
    expect([a.promiseId, b.promiseId]).toEqual(["deletion/rec-h/attempt-2", "deletion/rec-h/attempt-2"]);
    await Promise.all([a.end(), b.end()]);
    expect(publisher.completions.map((c) => c.idempotencyKey)).toEqual(["deletion/rec-h/attempt-2"]);
  });

  it("reports a foreign promise under the record's promise id and ignores one under the bare id", async () => {
    const { publisher, runtime } = setup({});
    const server = resonate as Resonate;
    const later = Date.now() + 60_000;
    await server.promises.create("deletion/rec-x", later, { data: "bm90IG91cnM=" });
    await server.promises.resolve("deletion/rec-x", { data: "bm90IG91cnM=" });
    await server.promises.create("rec-y", later, { data: "" });

    const foreign = await runtime.begin(input("rec-x"));
    expect(foreign).toMatchObject({ kind: "foreign", attempt: 1, promiseId: "deletion/rec-x" });
    expect(foreign.kind === "foreign" && foreign.reason).toMatch(/deletion\/rec-x/);

    expect(await run(runtime, input("rec-y"))).toMatchObject({ status: "completed" });
    expect(publisher.completions.map((c) => c.recordId)).toEqual(["rec-y"]);
  });

  it("derives promise ids from the configured prefix", async () => {
    const { publisher, runtime } = setup({}, "acme/deletion");
    const start = await runtime.begin(input("rec-z"));
    expect(start).toMatchObject({ kind: "started", promiseId: "acme/deletion/rec-z" });
    if (start.kind === "started") await start.end();
    expect(publisher.completions[0]?.idempotencyKey).toBe("acme/deletion/rec-z");
  });
});
