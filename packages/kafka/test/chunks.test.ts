import { describe, expect, it } from "vitest";
import { chunkRanges, pacedChunkSize } from "../src/chunks.js";

describe("chunkRanges", () => {
  it("covers every index once, in order, in chunks of at most the size", () => {
    const chunks = [...chunkRanges(2_500, 1_000)];
    expect(chunks).toEqual([
      { start: 0, end: 1_000 },
      { start: 1_000, end: 2_000 },
      { start: 2_000, end: 2_500 },
    ]);
  });

  it("yields nothing for zero records and one short chunk for few", () => {
    expect([...chunkRanges(0, 10)]).toEqual([]);
    expect([...chunkRanges(3, 10)]).toEqual([{ start: 0, end: 3 }]);
  });

  it("rejects a chunk size below 1", () => {
    expect(() => [...chunkRanges(5, 0)]).toThrow(RangeError);
  });
});

describe("pacedChunkSize", () => {
  it("keeps the chunk size when there is no rate limit", () => {
    expect(pacedChunkSize(1_000, 0)).toBe(1_000);
  });

  it("aims at about ten chunks a second under a rate limit, at least one record each", () => {
    expect(pacedChunkSize(1_000, 500)).toBe(50);
    expect(pacedChunkSize(1_000, 5)).toBe(1);
    expect(pacedChunkSize(1_000, 1_000_000)).toBe(1_000);
  });
});
