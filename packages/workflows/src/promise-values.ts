import { describeIssues } from "@deletion/contracts";
import type { StoredPromise, StoredValue } from "@deletion/resonate-client";
import { z } from "zod";
import { DELETION_WORKFLOW_NAME } from "./deletion-workflow.js";
import {
  type DeletionOutcome,
  DeletionOutcomeSchema,
  type DeletionWorkflowInput,
  DeletionWorkflowInputSchema,
} from "./workflow-input.js";

/*
 * Everything read back from a durable promise is checked here before anything trusts it. The
 * id being ours proves nothing: another application on the same server may have used it (the
 * server does not know whose an id is), or an older build may have stored another shape.
 */

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What the SDK stores as a workflow's param when it starts one: its name, arguments and version. */
export const DeletionPromiseParamSchema = z.object({
  func: z.literal(DELETION_WORKFLOW_NAME),
  args: z.tuple([DeletionWorkflowInputSchema]),
  version: z.number().int().positive(),
});

/**
 * A stored value as the SDK's codec writes it (codec.js: base64 of JSON, "" for undefined),
 * decoded without throwing: foreign bytes are a reason, not an exception.
 */
export function decodeStoredValue(value: StoredValue | undefined): Read<unknown> {
  if (value?.unreadable !== undefined) return { ok: false, reason: value.unreadable };
  const data = value?.data;
  if (data === undefined || data === null || data === "") return { ok: true, value: undefined };
  if (typeof data !== "string")
    return { ok: false, reason: `stored data is a ${typeof data}, not base64 text` };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(data, "base64").toString("utf8")) as unknown };
  } catch {
    return { ok: false, reason: "stored data is not base64-encoded JSON" };
  }
}

export interface AttemptRef {
  recordId: string;
  attempt: number;
  promiseId: string;
}

/** A workflow's return value, as read from its promise: ours (and this attempt's), or why not. */
export function readOutcome(value: unknown, expected: AttemptRef): Read<DeletionOutcome> {
  const parsed = DeletionOutcomeSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `promise ${expected.promiseId} holds a value that is not a deletion outcome (${describe(value)}): ${describeIssues(parsed.error, value)}`,
    };
  }
  if (parsed.data.recordId !== expected.recordId || parsed.data.attempt !== expected.attempt) {
    return {
      ok: false,
      reason: `promise ${expected.promiseId} holds the outcome of record ${parsed.data.recordId} attempt ${parsed.data.attempt}, not of ${expected.recordId} attempt ${expected.attempt}`,
    };
  }
  return { ok: true, value: parsed.data };
}

/** The workflow input a promise was started with, if it is one of our deletion workflows for this attempt. */
export function readInput(promise: StoredPromise, expected: AttemptRef): Read<DeletionWorkflowInput> {
  const decoded = decodeStoredValue(promise.param);
  if (!decoded.ok) return { ok: false, reason: `promise ${expected.promiseId}: param ${decoded.reason}` };
  const parsed = DeletionPromiseParamSchema.safeParse(decoded.value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `promise ${expected.promiseId} was not started by this project's deletion workflow: ${describeIssues(parsed.error, decoded.value)}`,
    };
  }
  const [input] = parsed.data.args;
  if (input.recordId !== expected.recordId || input.attempt !== expected.attempt) {
    return {
      ok: false,
      reason: `promise ${expected.promiseId} was started for record ${input.recordId} attempt ${input.attempt}, not ${expected.recordId} attempt ${expected.attempt}`,
    };
  }
  return { ok: true, value: input };
}

/**
 * The record id a promise's param names, when it is one of our deletion workflows (unchecked:
 * compute its promise id again before trusting it). How a listing finds the record behind a
 * keyed promise id.
 */
export function paramRecordId(promise: StoredPromise): string | undefined {
  const decoded = decodeStoredValue(promise.param);
  if (!decoded.ok) return undefined;
  const parsed = DeletionPromiseParamSchema.safeParse(decoded.value);
  return parsed.success ? parsed.data.args[0].recordId : undefined;
}

/** Where one deletion attempt stands, as its promise tells it. */
export type AttemptState =
  | { kind: "absent" }
  | { kind: "foreign"; reason: string }
  | { kind: "running"; input: DeletionWorkflowInput }
  | { kind: "completed"; input: DeletionWorkflowInput; outcome: DeletionOutcome }
  /** Failed for good (status "failed"), threw, timed out or was cancelled: a new request may retry. */
  | { kind: "failed"; input: DeletionWorkflowInput; reason: string };

export function readAttempt(promise: StoredPromise | undefined, expected: AttemptRef): AttemptState {
  if (promise === undefined) return { kind: "absent" };
  const input = readInput(promise, expected);
  if (!input.ok) return { kind: "foreign", reason: input.reason };
  switch (promise.state) {
    case "pending":
      return { kind: "running", input: input.value };
    case "resolved": {
      const decoded = decodeStoredValue(promise.value);
      if (!decoded.ok)
        return { kind: "foreign", reason: `promise ${expected.promiseId}: value ${decoded.reason}` };
      const outcome = readOutcome(decoded.value, expected);
      if (!outcome.ok) return { kind: "foreign", reason: outcome.reason };
      return outcome.value.status === "completed"
        ? { kind: "completed", input: input.value, outcome: outcome.value }
        : { kind: "failed", input: input.value, reason: outcome.value.error ?? "deletion failed" };
    }
    default: {
      const decoded = decodeStoredValue(promise.value);
      const message = decoded.ok ? errorText(decoded.value) : undefined;
      return {
        kind: "failed",
        input: input.value,
        reason: `workflow ${promise.state}${message ? `: ${message}` : ""}`,
      };
    }
  }
}

/** The SDK stores a thrown Error as { __type: "error", message, ... } (codec.js). */
export function errorText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string"
  ) {
    return (value as { message: string }).message;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "no value";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
