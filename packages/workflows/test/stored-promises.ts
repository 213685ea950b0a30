import type { StoredPromise } from "@deletion/resonate-client";
import type { DeletionOutcome, DeletionWorkflowInput } from "../src/index.js";

/** What the SDK's codec stores: base64 of JSON, "" for undefined. */
export const encode = (value: unknown): string =>
  value === undefined ? "" : Buffer.from(JSON.stringify(value), "utf8").toString("base64");

export const workflowInput = (recordId: string, attempt: number, offset = "0"): DeletionWorkflowInput => ({
  recordId,
  attempt,
  requestedAt: "2026-11-27T00:00:00.000Z",
  source: { topic: "requests", partition: 0, offset },
  batchSleepMs: 1,
  shape: { batchPause: "throttle", segmentBatches: 50 },
});

export const outcomeOf = (
  recordId: string,
  attempt: number,
  status: "completed" | "failed" = "completed",
): DeletionOutcome => ({
  recordId,
  attempt,
  status,
  ...(status === "failed" ? { error: "permanent" } : {}),
  batches: 1,
  rowsDeleted: 10,
  transientErrorsRetried: 0,
});

/** A promise as one of our deletion workflows leaves it on the server. */
export function ourPromise(
  id: string,
  input: DeletionWorkflowInput,
  state: StoredPromise["state"],
  value?: unknown,
): StoredPromise {
  return {
    id,
    state,
    param: { data: encode({ func: "deleteRecord", args: [input], version: 1 }) },
    value: { data: encode(value) },
  };
}
