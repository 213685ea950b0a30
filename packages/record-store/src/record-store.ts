/** What one deleteBatch call did. */
export interface BatchResult {
  rowsDeleted: number;
  /** false once the record has no data left: the workflow stops looping. */
  rowsRemain: boolean;
  /**
   * What a store that keeps a ledger of its batches recorded of this one: the retry attempt
   * that deleted it and when it committed. A batch run again (its checkpoint lost in a crash)
   * answers with its first run's record, so the workflow reports that run, not the repeat.
   */
  recorded?: { attempt: number; at: string };
}

/** Which step of the workflow is calling: the batch number and the retry attempt (from 1). */
export interface BatchContext {
  batch: number;
  attempt: number;
  /** Which attempt at deleting the record (from 1; a request after a failed deletion starts the next). */
  deletionAttempt: number;
  /** Rows this batch deletes at most, when pacing sets it; else the store's own batch size. */
  limit?: number;
}

/**
 * Where a record's data lives. deleteBatch deletes one bounded batch and must be safe to call
 * again after a crash: deleting rows that are already gone deletes nothing, and a store that
 * keeps a ledger answers a batch it already did from the ledger (see BatchResult.recorded).
 */
export interface RecordStore {
  deleteBatch(recordId: string, context: BatchContext): Promise<BatchResult>;
  /**
   * The soft delete, run once as the workflow's first step before any batch: flags the record so
   * readers see it gone at once. Must be idempotent (it runs again after a crash before its
   * checkpoint); a record that does not exist marks nothing. Stores without one skip the step.
   */
  markDeleted?(recordId: string): Promise<SoftDeleteResult>;
}

/** What markDeleted did: 0 rows for a record that is already flagged, gone or never existed. */
export interface SoftDeleteResult {
  rowsMarked: number;
}

/** A failure worth retrying (timeout, lock, lost connection): the step is retried with backoff. */
export class TransientDeletionError extends Error {
  override readonly name = "TransientDeletionError";
}

/** A failure retrying cannot fix: the workflow fails at once and the record is dead-lettered. */
export class PermanentDeletionError extends Error {
  override readonly name = "PermanentDeletionError";
}
