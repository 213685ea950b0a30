import type { RecordRow } from "./record-board.js";

export interface DemoSummary {
  records: number;
  completed: number;
  failed: number;
  /** Record ids in the order they were produced. */
  inputOrder: string[];
  /** Record ids in the order their completions reached the completion topic. */
  completionOrder: string[];
  /** Records that completed before the first record produced. */
  overtookFirst: number;
  totalBatches: number;
  totalRetries: number;
  elapsedMs: number;
}

export function summarize(rows: readonly RecordRow[], elapsedMs: number): DemoSummary {
  const byInput = [...rows].sort((a, b) => a.inputIndex - b.inputIndex);
  const completed = rows.filter((r) => r.completionPosition !== undefined);
  const byCompletion = [...completed].sort(
    (a, b) => (a.completionPosition ?? 0) - (b.completionPosition ?? 0),
  );
  const first = byInput[0];
  const firstPosition = first?.completionPosition ?? Number.POSITIVE_INFINITY;
  return {
    records: rows.length,
    completed: completed.length,
    failed: rows.filter((r) => r.state.kind === "failed").length,
    inputOrder: byInput.map((r) => r.recordId),
    completionOrder: byCompletion.map((r) => r.recordId),
    overtookFirst: completed.filter((r) => r !== first && (r.completionPosition ?? 0) < firstPosition).length,
    totalBatches: rows.reduce((sum, r) => sum + r.batches, 0),
    totalRetries: rows.reduce((sum, r) => sum + r.retries, 0),
    elapsedMs,
  };
}
