import { paramRecordId, readAttempt } from "@deletion/workflows";
import { type RecordStatus, type StatusOptions, statusOf } from "./record-status.js";
import { ResonateRefusedError, ResonateUnreachableError } from "./status-source.js";

/**
 * Records whose latest deletion attempt failed, found by searching the server's settled promises
 * (every settled workflow promise is read, so the scan is bounded by `maxScanned`; `complete`
 * says whether it got through them all).
 */
export async function listFailed(
  options: StatusOptions & { limit: number; maxScanned?: number },
): Promise<{ ok: true; failed: RecordStatus[]; complete: boolean } | { ok: false; reason: string }> {
  const maxScanned = options.maxScanned ?? 100_000;
  let scanned = 0;
  const { source, ids } = options;
  if (!source.search) {
    return { ok: false, reason: `${source.where} cannot search promises: listing needs a Resonate server` };
  }
  const seen = new Set<string>();
  const failed: RecordStatus[] = [];
  try {
    for (const state of ["resolved", "rejected"] as const) {
      let cursor: string | undefined;
      do {
        const page = await source.search({ tags: { "resonate:scope": "global" }, state, limit: 100, cursor });
        scanned += page.promises.length;
        for (const promise of page.promises) {
          const parsed = ids.parse(promise.id);
          if (!parsed) continue;
          // A keyed promise id holds no record id: the param names it, and the id computed from
          // that must be this one (a param copied onto another id names a record it is not).
          const recordId = ids.keyed ? paramRecordId(promise) : parsed.recordId;
          if (recordId === undefined || seen.has(recordId)) continue;
          if (ids.of(recordId, parsed.attempt) !== promise.id) continue;
          const attempt = readAttempt(promise, { recordId, attempt: parsed.attempt, promiseId: promise.id });
          if (attempt.kind !== "failed") continue;
          seen.add(recordId);
          // A later attempt may have succeeded since: report where the record stands now.
          const status = await statusOf(recordId, options);
          if (status.state === "failed") failed.push(status);
          if (failed.length >= options.limit) return { ok: true, failed, complete: false };
        }
        cursor = page.cursor;
        if (cursor && scanned >= maxScanned) return { ok: true, failed, complete: false };
      } while (cursor);
    }
  } catch (error) {
    if (error instanceof ResonateRefusedError && error.status === 403 && error.kind === "promise.search") {
      return {
        ok: false,
        reason: `${error.message}; listing searches the server, which needs a token with an empty prefix or the admin role`,
      };
    }
    if (error instanceof ResonateUnreachableError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, failed, complete: true };
}
