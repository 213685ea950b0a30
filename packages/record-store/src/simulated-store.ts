import {
  type BatchContext,
  type BatchResult,
  PermanentDeletionError,
  type RecordStore,
  TransientDeletionError,
} from "./record-store.js";
import { hashString, type RandomSource, seededRandom } from "./seeded-random.js";

export interface SimulatedStoreOptions {
  /** Chance that a batch fails with a transient error. Default 0.25. */
  transientErrorRate?: number;
  /** Chance that a successful batch deleted the last rows. Default 0.25. */
  finishRate?: number;
  rowsPerBatch?: number;
  /**
   * With a seed, every call draws from a generator seeded by (seed, record id, batch, attempt):
   * the outcome of a step is the same whichever worker runs it, in whatever order, after any
   * restart. Without one, `random` (default Math.random) decides.
   */
  seed?: number;
  random?: RandomSource;
  /** Records that take exactly this many successful batches (demos and tests of long records). */
  fixedBatches?: ReadonlyMap<string, number>;
  /**
   * Records whose first deletion attempt fails for good (a permanent error on its first batch),
   * while a later attempt deletes normally: how demos and tests show a failed deletion retried.
   */
  failFirstAttempt?: ReadonlySet<string>;
}

/**
 * Stands in for a real database: each batch fails transiently with one probability and
 * otherwise deletes the last rows with another, as in the original Resonate examples. It keeps
 * no state, so another worker can take over a record half-way through.
 */
export class SimulatedRecordStore implements RecordStore {
  private readonly transientErrorRate: number;
  private readonly finishRate: number;
  private readonly rowsPerBatch: number;

  constructor(private readonly options: SimulatedStoreOptions = {}) {
    this.transientErrorRate = checkRate("transientErrorRate", options.transientErrorRate ?? 0.25);
    this.finishRate = checkRate("finishRate", options.finishRate ?? 0.25);
    this.rowsPerBatch = options.rowsPerBatch ?? 100;
    if (this.finishRate === 0 && !options.fixedBatches) {
      throw new RangeError("finishRate 0 would make every deletion run forever");
    }
    if (this.transientErrorRate === 1) {
      throw new RangeError("transientErrorRate 1 would make every batch fail forever");
    }
  }

  async deleteBatch(
    recordId: string,
    { batch, attempt, deletionAttempt }: BatchContext,
  ): Promise<BatchResult> {
    if (deletionAttempt === 1 && this.options.failFirstAttempt?.has(recordId)) {
      throw new PermanentDeletionError(
        `simulated permanent failure of the first deletion attempt of ${recordId}`,
      );
    }
    const random = this.randomFor(recordId, batch, attempt);
    if (random() < this.transientErrorRate) {
      throw new TransientDeletionError(
        `simulated transient failure deleting batch ${batch} of ${recordId} (attempt ${attempt})`,
      );
    }
    const fixed = this.options.fixedBatches?.get(recordId);
    const finished = fixed !== undefined ? batch >= fixed : random() < this.finishRate;
    return {
      rowsDeleted: finished ? Math.max(1, Math.floor(this.rowsPerBatch / 2)) : this.rowsPerBatch,
      rowsRemain: !finished,
    };
  }

  private randomFor(recordId: string, batch: number, attempt: number): RandomSource {
    if (this.options.seed === undefined) return this.options.random ?? Math.random;
    return seededRandom(hashString(`${this.options.seed}/${recordId}/${batch}/${attempt}`));
  }
}

function checkRate(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  return value;
}
