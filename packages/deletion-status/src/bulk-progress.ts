import type { BulkStatus } from "./bulk-status.js";

/**
 * One line of a bulk's progress for a terminal: a bar of the records finished out of those
 * matched, then the counts, rate and ETA. "[#####.....]  50% 1000/2000 done ...".
 */
export function bulkProgressLine(status: BulkStatus, width = 30): string {
  const total = Math.max(status.matched, status.requested);
  const finished = status.done + status.failed;
  const share = total === 0 ? (status.state === "running" ? 0 : 1) : Math.min(1, finished / total);
  const filled = Math.round(share * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  const phase = status.state === "running" ? (status.phase ?? "starting") : status.state;
  const rate =
    status.recordsPerSecond !== undefined
      ? `, ${status.recordsPerSecond.toFixed(1)}/s${status.state === "running" && status.etaSeconds !== undefined ? `, ETA ${Math.ceil(status.etaSeconds)} s` : ""}`
      : "";
  return `${bar} ${percent} ${finished}/${total} (${phase}: soft-deleted ${status.softDeleted}, requested ${status.requested}, failed ${status.failed}${rate})`;
}
