import { type Context, Resonate } from "@resonatehq/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { CompactingLocalNetwork } from "../src/compacting-local-network.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A workflow of two steps around a timer; counts how often its steps run, per id. */
function setup(keepFinished = 1_000) {
  const network = new CompactingLocalNetwork({ pid: "p", group: "g", keepFinished });
  const resonate = new Resonate({ network, group: "g", pid: "p", ttl: 60_000, logLevel: "error" });
  stops.push(() => resonate.stop());
  const stepRuns = new Map<string, number>();
  let hold: Promise<void> | undefined;
  const step = async (ctx: Context, n: number) => {
    const root = ctx.id.split(":")[0] ?? "";
    stepRuns.set(root, (stepRuns.get(root) ?? 0) + 1);
    if (hold) await hold;
    return n;
  };
  resonate.register("wf", function* (ctx: Context) {
    const a: number = yield* ctx.run(step, 1);
    yield* ctx.sleep(1);
    const b: number = yield* ctx.run(step, 2);
    return a + b;
  });
  const runWf = async (id: string) => (await resonate.beginRun(id, "wf")).result();
  const found = (id: string) =>
    resonate.promises.get(id).then(
      (p) => p.state,
      () => "not found",
    );
  return {
    network,
    resonate,
    stepRuns,
    runWf,
    found,
    holdSteps: (until: Promise<void>) => {
      hold = until;
    },
  };
}

describe("CompactingLocalNetwork", () => {
  it("frees everything under a finished workflow and keeps its own promise", async () => {
    const { network, runWf, found } = setup();
    for (let i = 0; i < 10; i++) expect(await runWf(`wf-${i}`)).toBe(3);

    expect(network.promisesHeld).toBe(0);
    expect(network.finishedKept).toBe(10);
    expect(await found("wf-7")).toBe("resolved");
    expect(await found("wf-7:0")).toBe("not found");
    expect(await found("wf-7:2")).toBe("not found");
  });

  it("a second run of a finished id returns its result without running a step again", async () => {
    const { runWf, stepRuns } = setup();
    expect(await runWf("once")).toBe(3);
    expect(stepRuns.get("once")).toBe(2);
    expect(await runWf("once")).toBe(3);
    expect(stepRuns.get("once")).toBe(2);
  });

  it("leaves a running workflow alone", async () => {
    const { network, runWf, holdSteps, stepRuns } = setup();
    const release = Promise.withResolvers<void>();
    holdSteps(release.promise);
    const running = runWf("slow");
    while (!stepRuns.has("slow")) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(network.promisesHeld).toBeGreaterThan(1);
    expect(network.finishedKept).toBe(0);
    release.resolve();
    expect(await running).toBe(3);
    expect(network.promisesHeld).toBe(0);
  });

  it("forgets the oldest finished workflows beyond keepFinished", async () => {
    const { network, runWf, found, stepRuns } = setup(2);
    for (const id of ["a", "b", "c"]) await runWf(id);
    expect(network.finishedKept).toBe(2);
    expect(await found("a")).toBe("not found");
    expect(await found("b")).toBe("resolved");
    expect(await found("c")).toBe("resolved");
    // Forgotten: a new run of it runs again, as it would after a restart.
    await runWf("a");
    expect(stepRuns.get("a")).toBe(4);
  });
});
