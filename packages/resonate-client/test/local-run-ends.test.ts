import type { Request } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { LocalRunEnds } from "../src/local-run-ends.js";

const head = { corrId: "c", version: "v" };
const create = (id: string) =>
  ({
    kind: "task.create",
    head,
    data: { pid: "p", ttl: 1, action: { kind: "promise.create", head, data: { id } } },
  }) as unknown as Request;
const createdAnswer = (taskId: string, state = "acquired") => ({ data: { task: { id: taskId, state } } });
const fulfil = (id: string, taskId: string, state = "resolved") =>
  ({
    kind: "task.fulfill",
    head,
    data: {
      id: taskId,
      version: 1,
      action: { kind: "promise.settle", head, data: { id, state, value: { data: "e30=" } } },
    },
  }) as unknown as Request;
const byTask = (kind: string, taskId: string) =>
  ({ kind, head, data: { id: taskId, version: 1 } }) as unknown as Request;

async function settledOrPending(ended: Promise<unknown>): Promise<unknown> {
  return Promise.race([ended, new Promise((resolve) => setImmediate(() => resolve("pending")))]);
}

describe("LocalRunEnds", () => {
  it("reports the value a workflow run here was fulfilled with", async () => {
    const runs = new LocalRunEnds();
    const watch = runs.watch("wf/1");
    runs.observe(create("wf/1"), 200, createdAnswer("t1"));
    runs.sending(fulfil("wf/1", "t1"));
    expect(await settledOrPending(watch?.ended as Promise<unknown>)).toBe("pending");
    runs.observe(fulfil("wf/1", "t1"), 200, {});
    expect(await watch?.ended).toEqual({ kind: "settled", state: "resolved", value: { data: "e30=" } });
    expect(runs.watched).toBe(0);
  });

  it("hands a workflow that leaves this process to a listener: suspended, released, refused, not run here", async () => {
    const runs = new LocalRunEnds();
    const suspended = runs.watch("a");
    const released = runs.watch("b");
    const refused = runs.watch("c");
    const elsewhere = runs.watch("d");
    const unanswered = runs.watch("e");
    runs.observe(create("a"), 200, createdAnswer("ta"));
    runs.observe(create("b"), 200, createdAnswer("tb"));
    runs.observe(create("c"), 200, createdAnswer("tc"));
    runs.observe(create("d"), 409, {});
    runs.observe(create("e"), 200, createdAnswer("te"));
    // A redirect (300) to a suspend means "carry on here".
    runs.observe(byTask("task.suspend", "ta"), 300, {});
    expect(await settledOrPending(suspended?.ended as Promise<unknown>)).toBe("pending");
    runs.observe(byTask("task.suspend", "ta"), 200, {});
    runs.sending(byTask("task.release", "tb"));
    runs.observe(fulfil("c", "tc"), 409, {});
    runs.failed(fulfil("e", "te"));
    for (const watch of [suspended, released, refused, elsewhere, unanswered]) {
      expect(await watch?.ended).toEqual({ kind: "elsewhere" });
    }
    expect(runs.watched).toBe(0);
  });

  it("a second watch of the same id is refused, and a disposed watch ends as elsewhere", async () => {
    const runs = new LocalRunEnds();
    const first = runs.watch("x");
    expect(runs.watch("x")).toBeUndefined();
    first?.dispose();
    expect(await first?.ended).toEqual({ kind: "elsewhere" });
    expect(runs.watch("x")).toBeDefined();
  });
});
