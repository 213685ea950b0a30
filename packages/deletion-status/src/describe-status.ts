import type { RecordStatus, RecordView } from "./record-status.js";

/** A person's reading of a status, one fact a line. */
export function describeStatus(status: RecordStatus): string[] {
  const lines: string[] = [];
  const storeLines = (store: RecordView | undefined) => {
    if (!store) return;
    const rows = store.remaining.map((r) => `${r.table} ${r.rows}`).join(", ");
    lines.push(`  rows left:   ${rows}`);
    if (store.deletedAt) lines.push(`  soft-deleted at ${store.deletedAt}`);
  };
  switch (status.state) {
    case "unknown":
      lines.push(`${status.recordId}: unknown (no deletion was ever requested)`);
      storeLines(status.store);
      break;
    case "accepted":
      lines.push(
        status.progressUnknown !== undefined
          ? `${status.recordId}: running${status.softDeleted ? " (soft-deleted)" : ""}; batches done so far not known: ${status.progressUnknown}`
          : `${status.recordId}: accepted${status.softDeleted ? " (soft-deleted; no batch deleted yet)" : " (no batch deleted yet)"}`,
      );
      lines.push(`  attempt ${status.attempt}, promise ${status.promiseId}`);
      storeLines(status.store);
      break;
    case "deleting":
      lines.push(
        `${status.recordId}: deleting (${status.batches} batches done, ${status.rowsDeleted} rows deleted so far)`,
      );
      lines.push(`  attempt ${status.attempt}, promise ${status.promiseId}`);
      storeLines(status.store);
      break;
    case "done":
      lines.push(
        `${status.recordId}: done${status.completedAt ? ` at ${status.completedAt}` : ""} (${status.batches} batches, ${status.rowsDeleted} rows)`,
      );
      lines.push(
        `  request ${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}; attempt ${status.attempt}, promise ${status.promiseId}`,
      );
      storeLines(status.store);
      break;
    case "failed":
      lines.push(
        `${status.recordId}: failed${status.failedAt ? ` at ${status.failedAt}` : ""}: ${status.reason}`,
      );
      lines.push(
        `  request ${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}; attempt ${status.attempt}, promise ${status.promiseId}`,
      );
      lines.push(`  to retry: ${status.retry}`);
      storeLines(status.store);
      break;
    case "foreign":
      lines.push(
        `${status.recordId}: promise ${status.promiseId} is not one of this project's: ${status.reason}`,
      );
      break;
    case "unreachable":
      lines.push(`${status.recordId}: status unknown: ${status.reason}`);
      break;
  }
  return lines;
}
