import type { SourcePosition } from "@deletion/contracts";
import type { StoredPromise } from "@deletion/resonate-client";
import type { PromiseIds } from "./promise-ids.js";
import { readAttempt } from "./promise-values.js";

/** Reads one promise by id; undefined when the server has none under it. */
export type PromiseLookup = (promiseId: string) => Promise<StoredPromise | undefined>;

/** What a request for a record leads to, decided from the record's attempts so far. */
export type AttemptDecision =
  /** No promise under this attempt's id yet: create it (a concurrent creator makes this an attach). */
  | { action: "start"; attempt: number; promiseId: string; retryOf?: string }
  /** The attempt is running: follow it. */
  | { action: "attach"; attempt: number; promiseId: string }
  /**
   * Nothing to do but report: the latest attempt completed, or it failed and this request is the
   * very one that started it (a redelivery, which must not turn into a retry nobody asked for).
   */
  | { action: "report"; attempt: number; promiseId: string; status: "completed" | "failed" }
  /** The id holds a promise this project did not create (or cannot read): never run, never thrown. */
  | { action: "foreign"; attempt: number; promiseId: string; reason: string };

export interface AttemptRequest {
  recordId: string;
  /** Where this request was read: tells a redelivery from a new request. */
  source: SourcePosition;
}

/**
 * Finds the attempt a request belongs to, walking the record's attempts in order (attempt n + 1
 * exists only once n failed): one lookup for a record that never failed. The promise id is the
 * lock: of two requests creating the same attempt, the server keeps one and the other attaches.
 */
export async function selectAttempt(
  request: AttemptRequest,
  ids: PromiseIds,
  lookup: PromiseLookup,
): Promise<AttemptDecision> {
  for (let attempt = 1; ; attempt++) {
    const promiseId = ids.of(request.recordId, attempt);
    const state = readAttempt(await lookup(promiseId), { recordId: request.recordId, attempt, promiseId });
    switch (state.kind) {
      case "absent":
        return attempt === 1
          ? { action: "start", attempt, promiseId }
          : { action: "start", attempt, promiseId, retryOf: ids.of(request.recordId, attempt - 1) };
      case "foreign":
        return { action: "foreign", attempt, promiseId, reason: state.reason };
      case "running":
        return { action: "attach", attempt, promiseId };
      case "completed":
        return { action: "report", attempt, promiseId, status: "completed" };
      case "failed":
        if (samePosition(state.input.source, request.source)) {
          return { action: "report", attempt, promiseId, status: "failed" };
        }
        break;
    }
  }
}

function samePosition(a: SourcePosition, b: SourcePosition): boolean {
  return a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;
}
