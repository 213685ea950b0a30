import type { Clock } from "../src/clock.js";

/** A clock that only moves when slept on: pacing can be checked without waiting. */
export class FakeClock implements Clock {
  time = 0;
  slept: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.time += ms;
  }
}
