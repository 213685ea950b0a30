import type { StoredPromise } from "@deletion/resonate-client";
import { describe, expect, it } from "vitest";
import { PromiseIds, selectAttempt } from "../src/index.js";
import { ourPromise, outcomeOf, workflowInput } from "./stored-promises.js";

const ids = new PromiseIds();

/** A server holding `promises`, counting lookups. */
function server(promises: StoredPromise[]) {
  const byId = new Map(promises.map((p) => [p.id, p]));
  const looked: string[] = [];
  return {
    looked,
    lookup: async (id: string) => {
      looked.push(id);
      return byId.get(id);
    },
  };
}

const request = (recordId: string, offset = "100") => ({
  recordId,
  source: { topic: "requests", partition: 0, offset },
});

const failed = (attempt: number, offset = String(attempt)) =>
  ourPromise(
    ids.of("r", attempt),
    workflowInput("r", attempt, offset),
    "resolved",
    outcomeOf("r", attempt, "failed"),
  );

describe("selectAttempt", () => {
  it("starts attempt 1 of a record with no promise, after one lookup", async () => {
    const { lookup, looked } = server([]);
    expect(await selectAttempt(request("r"), ids, lookup)).toEqual({
      action: "start",
      attempt: 1,
      promiseId: "deletion/r",
    });
    expect(looked).toEqual(["deletion/r"]);
  });

  it("attaches to a running attempt and only reports a completed one", async () => {
    const running = server([ourPromise("deletion/r", workflowInput("r", 1), "pending")]);
    expect(await selectAttempt(request("r"), ids, running.lookup)).toEqual({
      action: "attach",
      attempt: 1,
      promiseId: "deletion/r",
    });
    const done = server([ourPromise("deletion/r", workflowInput("r", 1), "resolved", outcomeOf("r", 1))]);
    expect(await selectAttempt(request("r"), ids, done.lookup)).toEqual({
      action: "report",
      attempt: 1,
      promiseId: "deletion/r",
      status: "completed",
    });
  });

  it("starts the next attempt after failed ones, naming the one it retries", async () => {
    const { lookup, looked } = server([failed(1), failed(2)]);
    expect(await selectAttempt(request("r"), ids, lookup)).toEqual({
      action: "start",
      attempt: 3,
      promiseId: "deletion/r/attempt-3",
      retryOf: "deletion/r/attempt-2",
    });
    expect(looked).toEqual(["deletion/r", "deletion/r/attempt-2", "deletion/r/attempt-3"]);
  });

  it("finds a retry that is running or completed and does not start another", async () => {
    const retrying = server([failed(1), ourPromise(ids.of("r", 2), workflowInput("r", 2), "pending")]);
    expect(await selectAttempt(request("r"), ids, retrying.lookup)).toMatchObject({
      action: "attach",
      attempt: 2,
    });
    const retried = server([
      failed(1),
      ourPromise(ids.of("r", 2), workflowInput("r", 2), "resolved", outcomeOf("r", 2)),
    ]);
    expect(await selectAttempt(request("r"), ids, retried.lookup)).toMatchObject({
      action: "report",
      attempt: 2,
      status: "completed",
    });
  });

  it("a redelivery of the very request a failed attempt answered is reported, not retried", async () => {
    const { lookup } = server([failed(1, "7")]);
    expect(await selectAttempt(request("r", "7"), ids, lookup)).toEqual({
      action: "report",
      attempt: 1,
      promiseId: "deletion/r",
      status: "failed",
    });
    expect(await selectAttempt(request("r", "8"), ids, lookup)).toMatchObject({
      action: "start",
      attempt: 2,
    });
  });

  it("stops at a foreign promise with its reason, and never looks at the bare record id", async () => {
    const foreignValue = {
      id: "deletion/r",
      state: "resolved" as const,
      param: { data: "" },
      value: { data: "" },
    };
    const { lookup, looked } = server([foreignValue]);
    const decision = await selectAttempt(request("r"), ids, lookup);
    expect(decision).toMatchObject({ action: "foreign", attempt: 1, promiseId: "deletion/r" });
    expect(decision.action === "foreign" && decision.reason).toMatch(/deletion\/r/);
    expect(looked).not.toContain("r");
  });

  it("passes a failed lookup on (the caller retries it)", async () => {
    const lookup = async () => {
      throw new Error("server unreachable");
    };
    await expect(selectAttempt(request("r"), ids, lookup)).rejects.toThrow("server unreachable");
  });
});
