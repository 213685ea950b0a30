import type { Request } from "@resonatehq/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CreatedTaskHeartbeat } from "../src/created-task-heartbeat.js";

const head = { corrId: "c", version: "2026-04-01" };
const create = (id: string, pid = "me") =>
  ({ kind: "task.create", head, data: { pid, ttl: 4_000, action: { data: { id } } } }) as unknown as Request;
const acquired = (id: string, version = 1) => ({ data: { task: { id, state: "acquired", version } } });
const on = (kind: string, id: string, version = 1) =>
  ({ kind, head, data: { id, version } }) as unknown as Request;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setUp() {
  const sent: Request[] = [];
  const heartbeat = new CreatedTaskHeartbeat("me", 2_000, async (req) => {
    sent.push(req);
    return {};
  });
  const tasksOf = (req: Request | undefined) => (req?.data as { tasks: unknown[] } | undefined)?.tasks;
  return { sent, heartbeat, tasksOf };
}

describe("CreatedTaskHeartbeat", () => {
  it("heartbeats a task a task.create gave this process until the SDK fulfils it", async () => {
    const { sent, heartbeat, tasksOf } = setUp();
    heartbeat.observe(create("deletion/a"), 200, acquired("deletion/a"));
    heartbeat.observe(create("deletion/b"), 200, acquired("deletion/b"));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: "task.heartbeat", data: { pid: "me" } });
    expect(tasksOf(sent[0])).toEqual([
      { id: "deletion/a", version: 1 },
      { id: "deletion/b", version: 1 },
    ]);

    heartbeat.sending(on("task.fulfill", "deletion/a"));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(tasksOf(sent[1])).toEqual([{ id: "deletion/b", version: 1 }]);

    // A release the server never hears (it is down) lets the task go all the same.
    heartbeat.sending(on("task.release", "deletion/b"));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(2);
    heartbeat.stop();
  });

  it("keeps a task whose suspend was answered 'carry on', drops it once suspended", async () => {
    const { sent, heartbeat, tasksOf } = setUp();
    heartbeat.observe(create("deletion/a"), 200, acquired("deletion/a"));
    heartbeat.observe(on("task.suspend", "deletion/a"), 300, {});
    await vi.advanceTimersByTimeAsync(2_000);
    expect(tasksOf(sent[0])).toEqual([{ id: "deletion/a", version: 1 }]);
    heartbeat.observe(on("task.suspend", "deletion/a"), 200, {});
    await vi.advanceTimersByTimeAsync(4_000);
    expect(sent).toHaveLength(1);
    heartbeat.stop();
  });

  it("leaves alone what is not a task this process was given by a create", async () => {
    const { sent, heartbeat } = setUp();
    heartbeat.observe(create("deletion/a"), 409, { data: "Already exists" });
    heartbeat.observe(create("deletion/b"), 200, {
      data: { task: { id: "deletion/b", state: "fulfilled", version: 0 } },
    });
    heartbeat.observe(create("deletion/c", "someone-else"), 200, acquired("deletion/c"));
    // Another version of the task (the poll stream's, heartbeated by the SDK) is not this one.
    heartbeat.observe(create("deletion/d"), 200, acquired("deletion/d", 1));
    heartbeat.sending(on("task.fulfill", "deletion/d", 2));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent.map((r) => (r.data as { tasks: { id: string }[] }).tasks.map((t) => t.id))).toEqual([
      ["deletion/d"],
    ]);
    heartbeat.stop();
  });
});
