/**
 * Events per sliding window (completions per minute), counted in fixed buckets: a fixed number of
 * counters whatever the rate. An event is counted at its own time, so a backlog read from the
 * start of a topic does not show up as a burst now.
 */
export class RateWindow {
  readonly #bucketMs: number;
  readonly #starts: number[];
  readonly #counts: number[];

  constructor(
    readonly windowMs: number,
    buckets: number,
    private readonly now: () => number,
  ) {
    this.#bucketMs = Math.ceil(windowMs / buckets);
    this.#starts = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#counts = new Array<number>(buckets).fill(0);
  }

  /** Counts one event that happened at `atMs` (default now); events outside the window are ignored. */
  add(atMs: number = this.now(), count = 1): void {
    const now = this.now();
    if (atMs > now) atMs = now;
    if (atMs <= now - this.windowMs) return;
    const start = atMs - (atMs % this.#bucketMs);
    const slot = Math.floor(start / this.#bucketMs) % this.#starts.length;
    if (this.#starts[slot] !== start) {
      this.#starts[slot] = start;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + count;
  }

  /** Events in the last window. */
  count(): number {
    const from = this.now() - this.windowMs;
    let total = 0;
    for (let i = 0; i < this.#starts.length; i++) {
      if ((this.#starts[i] ?? Number.NEGATIVE_INFINITY) + this.#bucketMs > from)
        total += this.#counts[i] ?? 0;
    }
    return total;
  }
}
