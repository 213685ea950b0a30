import { describe, expect, it } from "vitest";
import { decodeStoredValue, readAttempt, readOutcome } from "../src/index.js";
import { encode, ourPromise, outcomeOf, workflowInput } from "./stored-promises.js";

const expected = { recordId: "r1", attempt: 1, promiseId: "deletion/r1" };

describe("decodeStoredValue", () => {
  it("decodes the SDK's base64 JSON and reads an empty value as undefined", () => {
    expect(decodeStoredValue({ data: encode({ a: 1 }) })).toEqual({ ok: true, value: { a: 1 } });
    expect(decodeStoredValue({ data: "" })).toEqual({ ok: true, value: undefined });
    expect(decodeStoredValue(undefined)).toEqual({ ok: true, value: undefined });
  });

  it("returns a reason, never throws, for bytes that are not base64 JSON", () => {
    expect(decodeStoredValue({ data: "not base64 JSON at all" })).toMatchObject({ ok: false });
    expect(decodeStoredValue({ data: 42 })).toMatchObject({ ok: false });
  });
});

describe("readOutcome", () => {
  it("accepts this attempt's outcome", () => {
    expect(readOutcome(outcomeOf("r1", 1), expected)).toEqual({ ok: true, value: outcomeOf("r1", 1) });
  });

  it.each([
    ["no value (what the Resonate Kafka example returns)", undefined],
    ["a string", "done 7"],
    ["an object of another shape", { hello: 1 }],
    ["an outcome without its status", { ...outcomeOf("r1", 1), status: undefined }],
    ["an unknown status", { ...outcomeOf("r1", 1), status: "deleted" }],
  ])("refuses %s with a reason naming the promise", (_, value) => {
    const read = readOutcome(value, expected);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toContain("deletion/r1");
  });

  it("refuses another record's or another attempt's outcome", () => {
    expect(readOutcome(outcomeOf("r2", 1), expected)).toMatchObject({ ok: false });
    expect(readOutcome(outcomeOf("r1", 2), expected)).toMatchObject({ ok: false });
  });
});

describe("readAttempt", () => {
  const input = workflowInput("r1", 1);

  it("absent, running, completed and failed, for our own promises", () => {
    expect(readAttempt(undefined, expected)).toEqual({ kind: "absent" });
    expect(readAttempt(ourPromise("deletion/r1", input, "pending"), expected)).toEqual({
      kind: "running",
      input,
    });
    expect(readAttempt(ourPromise("deletion/r1", input, "resolved", outcomeOf("r1", 1)), expected)).toEqual({
      kind: "completed",
      input,
      outcome: outcomeOf("r1", 1),
    });
    expect(
      readAttempt(ourPromise("deletion/r1", input, "resolved", outcomeOf("r1", 1, "failed")), expected),
    ).toEqual({ kind: "failed", input, reason: "permanent" });
  });

  it("counts a workflow that threw, timed out or was cancelled as failed (a new request may retry)", () => {
    const thrown = { __type: "error", message: "boom", name: "Error" };
    expect(readAttempt(ourPromise("deletion/r1", input, "rejected", thrown), expected)).toEqual({
      kind: "failed",
      input,
      reason: "workflow rejected: boom",
    });
    for (const state of ["rejected_timedout", "rejected_canceled"] as const) {
      expect(readAttempt(ourPromise("deletion/r1", input, state), expected)).toMatchObject({
        kind: "failed",
      });
    }
  });

  it("calls anything this project's workflow did not start foreign, whatever its state", () => {
    const foreign = [
      // another Resonate application's workflow (also named deleteRecord, argument the bare id)
      {
        id: "deletion/r1",
        state: "resolved" as const,
        param: { data: encode({ func: "deleteRecord", args: ["r1"], version: 1 }) },
        value: { data: "" },
      },
      // a plain promise, bytes that are not even base64 JSON
      { id: "deletion/r1", state: "resolved" as const, param: { data: "x y z" }, value: { data: "x y z" } },
      // still running, somebody else's
      { id: "deletion/r1", state: "pending" as const, param: { data: "" }, value: { data: "" } },
      // ours in shape, but for another record or attempt
      ourPromise("deletion/r1", workflowInput("r2", 1), "pending"),
      ourPromise("deletion/r1", workflowInput("r1", 3), "pending"),
      // our param, a value that is not an outcome
      ourPromise("deletion/r1", input, "resolved", "done"),
      ourPromise("deletion/r1", input, "resolved", undefined),
    ];
    for (const promise of foreign) {
      const state = readAttempt(promise, expected);
      expect(state.kind, JSON.stringify(promise)).toBe("foreign");
      expect(state.kind === "foreign" && state.reason).toContain("deletion/r1");
    }
  });
});
