import { createResonateClient } from "@deletion/resonate-client";
import { afterEach, describe, expect, it } from "vitest";
import { inProcessRuntime, input, RecordingPublisher, run, ScriptedStore } from "./fakes.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe("the in-process Resonate client", () => {
  it("frees a finished deletion's steps, and a duplicate request is still only reported", async () => {
    const store = new ScriptedStore({ "rec-a": ["more", "last"] });
    const publisher = new RecordingPublisher();
    const client = inProcessRuntime(store, publisher);
    stops.push(() => client.resonate.stop());
    await run(client.runtime, input("rec-a", 3));

    expect(await client.resonate.promises.get("deletion/rec-a").then((p) => p.state)).toBe("resolved");
    const step = await client.resonate.promises.get("deletion/rec-a:0").then(
      () => "found",
      () => "not found",
    );
    expect(step).toBe("not found");
    expect(await client.runtime.begin(input("rec-a", 9))).toMatchObject({
      kind: "finished",
      status: "completed",
    });
    expect(store.callsFor("rec-a")).toEqual({ 1: 1, 2: 1 });
    expect(publisher.completions).toHaveLength(1);
  });

  it("bounds the finished workflows it keeps as configured", () => {
    expect(() =>
      createResonateClient({ group: "g", pid: "p", ttlMs: 60_000, inProcessFinishedKept: 0 }),
    ).toThrow(/keepFinished/);
  });
});
