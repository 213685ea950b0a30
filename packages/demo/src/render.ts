import type { RecordRow, RecordState } from "./record-board.js";
import type { DemoSummary } from "./summary.js";

export function describeState(state: RecordState): string {
  switch (state.kind) {
    case "queued":
      return "queued";
    case "deleting":
      return `deleting batch ${state.batch}`;
    case "retrying":
      return `retrying batch ${state.batch} after an error`;
    case "done":
      return "done";
    case "failed":
      return `failed: ${state.reason}`;
  }
}

/** The live table: one row per record in input order, with where it finished. */
export function renderBoard(rows: readonly RecordRow[], elapsedMs: number): string {
  const done = rows.filter((r) => r.state.kind === "done").length;
  const header = `  #  input (partition:offset)  record id                 state                              completed as`;
  const lines = rows.map((r) => {
    const input = r.offset === undefined ? "-" : `${r.partition ?? "?"}:${r.offset}`;
    const position = r.completionPosition === undefined ? "" : `#${r.completionPosition}`;
    return `${String(r.inputIndex + 1).padStart(3)}  ${input.padEnd(24)}  ${r.recordId.padEnd(24)}  ${describeState(r.state).padEnd(33)}  ${position}`;
  });
  return [
    `${done}/${rows.length} records deleted, ${(elapsedMs / 1000).toFixed(1)} s`,
    header,
    ...lines,
  ].join("\n");
}

export function renderSummary(summary: DemoSummary, rows: readonly RecordRow[]): string {
  const position = new Map(rows.map((r) => [r.recordId, r]));
  const perRecord = summary.inputOrder.map((id) => {
    const r = position.get(id);
    return `  ${id.padEnd(24)} input #${String((r?.inputIndex ?? 0) + 1).padEnd(4)} completed #${String(r?.completionPosition ?? "-").padEnd(4)} batches ${String(r?.batches ?? 0).padEnd(3)} retries ${r?.retries ?? 0}`;
  });
  return [
    "Summary",
    `  records: ${summary.records}, completed: ${summary.completed}, failed: ${summary.failed}`,
    `  total time: ${(summary.elapsedMs / 1000).toFixed(1)} s, batches: ${summary.totalBatches}, retries after transient errors: ${summary.totalRetries}`,
    `  records that overtook the first one: ${summary.overtookFirst}`,
    `  input order:      ${summary.inputOrder.join(" ")}`,
    `  completion order: ${summary.completionOrder.join(" ")}`,
    ...perRecord,
  ].join("\n");
}
