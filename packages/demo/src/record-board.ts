import type { DeletionCompleted } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";

export type RecordState =
  | { kind: "queued" }
  | { kind: "deleting"; batch: number }
  | { kind: "retrying"; batch: number; attempt: number }
  | { kind: "done" }
  | { kind: "failed"; reason: string };

export interface RecordRow {
  recordId: string;
  /** Position in which the producer sent it (0-based): the input order. */
  inputIndex: number;
  partition?: number;
  offset?: string;
  state: RecordState;
  batches: number;
  retries: number;
  /** 1-based position on the completion topic; undefined until it completed. */
  completionPosition?: number;
}

/** A worker log line, as the worker writes it (JSON); only the fields the board reads. */
export interface WorkerEvent {
  event?: string;
  recordId?: string;
  partition?: number;
  offset?: string;
  batch?: number;
  attempt?: number;
  rowsRemain?: boolean;
  reason?: string;
}

/**
 * The live state of each record of one demo run, built from the workers' log lines and the
 * completion topic. Records of other runs (or other producers) are ignored.
 */
export class RecordBoard {
  private readonly rows = new Map<string, RecordRow>();
  private completions = 0;

  constructor(recordIds: readonly string[]) {
    recordIds.forEach((recordId, inputIndex) => {
      this.rows.set(recordId, { recordId, inputIndex, state: { kind: "queued" }, batches: 0, retries: 0 });
    });
  }

  applyWorkerEvent(event: WorkerEvent): void {
    const row = event.recordId === undefined ? undefined : this.rows.get(event.recordId);
    if (!row || row.state.kind === "done") return;
    switch (event.event) {
      case LOG_EVENTS.dispatched:
      case LOG_EVENTS.duplicate:
        if (row.offset === undefined && event.offset !== undefined) {
          row.partition = event.partition;
          row.offset = event.offset;
        }
        if (row.state.kind === "queued") row.state = { kind: "deleting", batch: 1 };
        break;
      case LOG_EVENTS.batchDeleted:
        row.batches = Math.max(row.batches, event.batch ?? 0);
        row.state = { kind: "deleting", batch: (event.batch ?? 0) + (event.rowsRemain ? 1 : 0) };
        break;
      case LOG_EVENTS.batchFailed:
        row.retries += 1;
        row.state = { kind: "retrying", batch: event.batch ?? 0, attempt: event.attempt ?? 1 };
        break;
      case LOG_EVENTS.failed:
        row.state = { kind: "failed", reason: event.reason ?? "unknown" };
        break;
    }
  }

  applyCompletion(completion: DeletionCompleted): void {
    const row = this.rows.get(completion.recordId);
    if (!row || row.completionPosition !== undefined) return;
    this.completions += 1;
    row.completionPosition = this.completions;
    row.state = { kind: "done" };
    row.batches = completion.batches;
    row.retries = completion.transientErrorsRetried;
    row.partition ??= completion.source.partition;
    row.offset ??= completion.source.offset;
  }

  list(): RecordRow[] {
    return [...this.rows.values()].sort((a, b) => a.inputIndex - b.inputIndex);
  }

  get finished(): number {
    return this.list().filter((r) => r.state.kind === "done" || r.state.kind === "failed").length;
  }

  get allFinished(): boolean {
    return this.finished === this.rows.size;
  }
}
