import { BulkDeletionCompletedSchema, BulkDeletionRequestedSchema, decodeMessage } from "@deletion/contracts";
import type { BulkStatus } from "@deletion/deletion-status";

export interface BulkBoardOptions {
  /** Where a bulk stands (readBulkStatus over the Resonate server). */
  read: (bulkId: string) => Promise<BulkStatus>;
  /** Bulks kept at most, the most recently seen; older ones drop off the board. */
  limit: number;
  onChange: () => void;
}

const ENDED = new Set<BulkStatus["state"]>(["completed", "cancelled", "failed"]);

const unread = (bulkId: string): BulkStatus => ({
  bulkId,
  promiseId: "",
  state: "unknown",
  matched: 0,
  softDeleted: 0,
  requested: 0,
  done: 0,
  failed: 0,
  failedIds: [],
  rowsDeleted: 0,
  notRequested: 0,
  restored: 0,
  cancelRequested: false,
});

/**
 * The recent bulk deletions, learnt from the bulk topics (and from submissions made here), with
 * each one's status read again on every refresh until it has ended. Bounded by `limit`.
 */
export class BulkBoard {
  readonly #bulks = new Map<string, BulkStatus>();
  readonly #options: BulkBoardOptions;

  constructor(options: BulkBoardOptions) {
    this.#options = options;
  }

  track(bulkId: string): void {
    const known = this.#bulks.get(bulkId);
    this.#bulks.delete(bulkId);
    this.#bulks.set(bulkId, known ?? unread(bulkId));
    while (this.#bulks.size > this.#options.limit) {
      const oldest = this.#bulks.keys().next().value;
      if (oldest === undefined) break;
      this.#bulks.delete(oldest);
    }
    this.#options.onChange();
  }

  /** A message of the bulk request topic: its bulk joins the board. */
  addRequested(value: Buffer | null): void {
    const decoded = decodeMessage(BulkDeletionRequestedSchema, value);
    if (decoded.ok) this.track(decoded.value.bulkId);
  }

  /** A message of the bulk completion topic: its bulk is read once more (then it has ended). */
  addCompleted(value: Buffer | null): void {
    const decoded = decodeMessage(BulkDeletionCompletedSchema, value);
    if (!decoded.ok) return;
    const known = this.#bulks.get(decoded.value.bulkId);
    if (known) this.#bulks.set(decoded.value.bulkId, { ...known, state: "running" });
    else this.track(decoded.value.bulkId);
  }

  /** Reads every bulk that has not ended yet. */
  async refresh(): Promise<void> {
    const open = [...this.#bulks.values()].filter((b) => !ENDED.has(b.state));
    if (open.length === 0) return;
    await Promise.all(open.map((b) => this.readOne(b.bulkId)));
  }

  async readOne(bulkId: string): Promise<BulkStatus> {
    const status = await this.#options.read(bulkId);
    if (this.#bulks.has(bulkId)) {
      this.#bulks.set(bulkId, status);
      this.#options.onChange();
    }
    return status;
  }

  /** Newest first. */
  list(): BulkStatus[] {
    return [...this.#bulks.values()].reverse();
  }
}
