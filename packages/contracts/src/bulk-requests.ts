import { BULK_MAX_IDS, type BulkDeletionRequested } from "./bulk-deletion.js";

export interface BulkSubmission {
  bulkId: string;
  requestedAt: string;
  selector?: string | undefined;
  params?: Record<string, string> | undefined;
  ids?: readonly string[] | undefined;
}

/**
 * The messages one submission publishes: a selector is one message; an id list is one message
 * per BULK_MAX_IDS ids, the n-th of several under bulkId `<bulkId>.<n>` (each a bulk of its own,
 * so each is idempotent by itself: submitting the same file twice publishes the same bulkIds).
 */
export function bulkRequestsOf(submission: BulkSubmission): BulkDeletionRequested[] {
  const base = { schemaVersion: 1 as const, requestedAt: submission.requestedAt };
  if (submission.ids === undefined) {
    return [
      {
        ...base,
        bulkId: submission.bulkId,
        ...(submission.selector !== undefined ? { selector: submission.selector } : {}),
        ...(submission.params !== undefined ? { params: submission.params } : {}),
      },
    ];
  }
  const ids = [...new Set(submission.ids)];
  if (ids.length <= BULK_MAX_IDS) return [{ ...base, bulkId: submission.bulkId, ids }];
  const chunks: BulkDeletionRequested[] = [];
  for (let start = 0, n = 1; start < ids.length; start += BULK_MAX_IDS, n++) {
    chunks.push({
      ...base,
      bulkId: `${submission.bulkId}.${n}`,
      ids: ids.slice(start, start + BULK_MAX_IDS),
    });
  }
  return chunks;
}
