/** A figure measured several times: its median and its range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError("no values to summarise");
  return [...values].sort((a, b) => a - b);
}

/** Median (the mean of the middle two for an even count), minimum and maximum. */
export function spread(values: readonly number[]): Spread {
  const s = sorted(values);
  const m = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  return { median, min: s[0] as number, max: s.at(-1) as number, runs: s.length };
}

/**
 * The nearest-rank percentile (0 < p <= 100): the smallest value that at least p % of the values
 * do not exceed, always a value that was measured: p99 of 200 latencies is the 198th, the two
 * largest lie above it.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const s = sorted(values);
  return s[Math.ceil((p / 100) * s.length) - 1] as number;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs `measure` `reps` times, one after the other, and returns what each run measured. */
export async function repeat<T>(reps: number, measure: (rep: number) => Promise<T>): Promise<T[]> {
  const runs: T[] = [];
  for (let rep = 1; rep <= reps; rep++) runs.push(await measure(rep));
  return runs;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
