/** A half-open range [start, end) of 0-based record indexes sent together. */
export interface Chunk {
  start: number;
  end: number;
}

/** Splits 0..total into consecutive chunks of at most `size` records. */
export function* chunkRanges(total: number, size: number): Generator<Chunk> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  for (let start = 0; start < total; start += size) {
    yield { start, end: Math.min(total, start + size) };
  }
}

/**
 * Under a rate limit, big chunks would go out as bursts once a second; about ten chunks a
 * second keeps the flow even while still letting the client batch.
 */
export function pacedChunkSize(chunkSize: number, ratePerSecond: number): number {
  if (ratePerSecond <= 0) return chunkSize;
  return Math.max(1, Math.min(chunkSize, Math.floor(ratePerSecond / 10)));
}
