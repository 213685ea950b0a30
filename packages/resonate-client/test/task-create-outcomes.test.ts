import type { Request } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { TaskCreateOutcomes, taskCreateOutcome, taskCreatePromiseId } from "../src/task-create-outcomes.js";

const taskCreate = (id: string, param = "cGFyYW0=") =>
  ({
    kind: "task.create",
    head: {},
    data: {
      pid: "p",
      ttl: 1,
      action: { kind: "promise.create", data: { id, param: { headers: {}, data: param } } },
    },
  }) as unknown as Request;

/** A task.create answer (server v0.9.8 shape) holding a promise with `param` and a task in `state`. */
const answer = (state: string, param: string, version = 1) => ({
  kind: "task.create",
  data: {
    task: { id: "x", state, version },
    promise: { id: "x", state: "pending", param: { data: param } },
  },
});

describe("taskCreateOutcome", () => {
  it("calls a start created only when the task is ours and the promise holds the param just sent", () => {
    const sent = taskCreate("deletion/r1", "bXluZQ==");
    expect(taskCreateOutcome(sent, 200, answer("acquired", "bXluZQ=="))).toBe("created");
    // An existing pending promise whose free task the server handed over: another request's param.
    expect(taskCreateOutcome(sent, 200, answer("acquired", "b3RoZXI="))).toBe("exists");
    // The same request again after its worker died: the same param, the task handed over.
    expect(taskCreateOutcome(sent, 200, answer("acquired", "bXluZQ==", 2))).toBe("exists");
    // A settled promise: the server answers 200 with its fulfilled task.
    expect(taskCreateOutcome(sent, 200, answer("fulfilled", "bXluZQ=="))).toBe("exists");
    expect(taskCreateOutcome(sent, 409, { data: "Already exists" })).toBe("exists");
    expect(taskCreateOutcome(sent, 422, { data: "not a task" })).toBe("exists");
    expect(taskCreateOutcome(sent, 500, { data: "oops" })).toBeUndefined();
  });
});

describe("TaskCreateOutcomes", () => {
  it("records the outcome of a watched id only, and lets one start of an id watch at a time", () => {
    const outcomes = new TaskCreateOutcomes();
    const a = outcomes.watch("a");
    expect(outcomes.watch("a")).toBeUndefined();
    outcomes.answered("a", undefined);
    expect(a?.outcome()).toBeUndefined();
    outcomes.answered("a", "exists");
    outcomes.answered("b", "created");
    expect(a?.outcome()).toBe("exists");
    expect(outcomes.watch("b")?.outcome()).toBeUndefined();
    a?.dispose();
    expect(outcomes.watch("a")?.outcome()).toBeUndefined();
  });

  it("reads the promise id of a task.create and of nothing else", () => {
    expect(taskCreatePromiseId(taskCreate("deletion/r1"))).toBe("deletion/r1");
    expect(
      taskCreatePromiseId({ kind: "promise.get", head: {}, data: { id: "x" } } as unknown as Request),
    ).toBeUndefined();
    expect(
      taskCreatePromiseId({ kind: "task.create", head: {}, data: {} } as unknown as Request),
    ).toBeUndefined();
  });
});
