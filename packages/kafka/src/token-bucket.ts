import type { Clock } from "./clock.js";

/**
 * Token bucket for pacing: tokens refill at `ratePerSecond` up to `burst`. `reserve(n)` takes n
 * tokens at once, going into debt if it must, and answers how long to wait before using them.
 * Going into debt (rather than waiting for the tokens first) keeps the long-run rate exact
 * even when n is larger than the bucket.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Pick<Clock, "now">,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
    if (!(burst > 0)) throw new RangeError(`burst must be positive, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Milliseconds to wait before the n tokens just taken may be spent (0 = now). */
  reserve(n: number): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerSecond;
  }
}
