import os from "node:os";

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

/** What a benchmark result names about the machine it ran on (and how busy it was). */
export interface MachineFacts {
  cores: number;
  cpu: string | undefined;
  memoryGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the facts were taken. */
  loadAverage: number[];
  date: string;
}

export function machineFacts(): MachineFacts {
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: os.loadavg().map(round2),
    date: new Date().toISOString(),
  };
}
