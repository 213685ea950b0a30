/** Bounds and target of the adaptive batch size. */
export interface BatchSizeOptions {
  /** The batch time aimed at: the size shrinks above it and grows below 90 % of it. */
  targetBatchMs: number;
  minBatchSize: number;
  maxBatchSize: number;
  /** Where the size starts; clamped into [min, max]. */
  initialBatchSize: number;
  /** Batches the moving average covers before the size moves again; default 5. */
  window?: number;
}

export const GROW_FACTOR = 1.1;
export const SHRINK_FACTOR = 0.8;
/** Below this share of the target the size grows: the band GitLab's batched migrations keep. */
export const GROW_BELOW = 0.9;

export type SizeChange = { from: number; to: number; averageMs: number };

/**
 * The batch size, moved +10 % / -20 % on the moving average of recent batch times. Only batches
 * run at the current size and that deleted at least half of it count: a record's last, short
 * batch says little about what a full one costs, and one started before the last change measured
 * the old size. The average starts afresh after every change, so each move rests on new evidence.
 */
export class BatchSizer {
  private current: number;
  private samples: number[] = [];
  private readonly window: number;

  constructor(private readonly options: BatchSizeOptions) {
    const { minBatchSize: min, maxBatchSize: max, targetBatchMs } = options;
    if (!Number.isInteger(min) || min < 1) throw new RangeError(`minBatchSize must be ≥ 1, got ${min}`);
    if (!Number.isInteger(max) || max < min)
      throw new RangeError(`maxBatchSize must be ≥ minBatchSize (${min}), got ${max}`);
    if (!(targetBatchMs > 0)) throw new RangeError(`targetBatchMs must be > 0, got ${targetBatchMs}`);
    this.window = options.window ?? 5;
    this.current = this.clamp(options.initialBatchSize);
  }

  get size(): number {
    return this.current;
  }

  /** Records one finished batch; returns the change it caused, if any. */
  record(durationMs: number, requested: number, rowsDeleted: number): SizeChange | undefined {
    if (requested !== this.current || rowsDeleted * 2 < requested) return undefined;
    this.samples.push(durationMs);
    if (this.samples.length < this.window) return undefined;
    const averageMs = this.samples.reduce((sum, d) => sum + d, 0) / this.samples.length;
    this.samples.shift();
    const { targetBatchMs } = this.options;
    if (averageMs > targetBatchMs) return this.moveTo(this.shrunk(), averageMs);
    if (averageMs < targetBatchMs * GROW_BELOW)
      return this.moveTo(Math.max(this.current + 1, Math.round(this.current * GROW_FACTOR)), averageMs);
    return undefined;
  }

  /** A failure the database signalled (lock, timeout, serialization): smaller batches at once. */
  shrink(): SizeChange | undefined {
    return this.moveTo(this.shrunk(), Number.NaN);
  }

  private shrunk(): number {
    return Math.min(this.current - 1, Math.round(this.current * SHRINK_FACTOR));
  }

  private moveTo(size: number, averageMs: number): SizeChange | undefined {
    const to = this.clamp(size);
    if (to === this.current) return undefined;
    const from = this.current;
    this.current = to;
    this.samples = [];
    return { from, to, averageMs };
  }

  private clamp(size: number): number {
    return Math.min(this.options.maxBatchSize, Math.max(this.options.minBatchSize, Math.round(size)));
  }
}
