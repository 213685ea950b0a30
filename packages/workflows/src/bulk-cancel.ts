import type { ServerRequest } from "@deletion/resonate-client";
import type { BulkIds } from "./bulk-ids.js";

/** The tag a cancel promise says "restore" with: tags are never encrypted, so any worker reads it. */
export const BULK_RESTORE_TAG = "deletion:restore";

/** How long a cancel request is kept on the server. */
const CANCEL_KEPT_MS = 30 * 24 * 3_600_000;

export type BulkCancelResult =
  | { ok: true; alreadyRequested: boolean }
  | { ok: false; status: number; reason: string };

/**
 * Asks a bulk to stop: creates its cancel promise, which the bulk's fan-out step looks for
 * before each page. Idempotent: a second cancel finds the first (restore is the first's).
 */
export async function requestBulkCancel(
  send: ServerRequest,
  ids: BulkIds,
  bulkId: string,
  restore: boolean,
): Promise<BulkCancelResult> {
  const answer = await send("promise.create", {
    id: ids.cancelOf(bulkId),
    timeoutAt: Date.now() + CANCEL_KEPT_MS,
    param: { headers: {}, data: "" },
    tags: { [BULK_RESTORE_TAG]: String(restore) },
  });
  // Created, or found (a cancel made before): either way the bulk stops.
  if (answer.status === 200 || answer.status === 201)
    return { ok: true, alreadyRequested: answer.status === 200 };
  const detail = typeof answer.data === "string" ? answer.data : JSON.stringify(answer.data);
  return { ok: false, status: answer.status, reason: `the server answered ${answer.status}: ${detail}` };
}
