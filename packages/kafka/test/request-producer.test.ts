import { decodeDeletionRequested } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import {
  type DeliveredRecord,
  type ProduceProgress,
  produceDeletionRequests,
} from "../src/request-producer.js";
import { FakeClock } from "./fake-clock.js";
import { FakeProducer } from "./fake-producer.js";

const base = { topic: "requests", idPrefix: "run1" };

describe("produceDeletionRequests", () => {
  it("writes one v1 request per id, keyed by its record id, and reports where each went", async () => {
    const producer = new FakeProducer(3);
    const delivered: DeliveredRecord[] = [];
    const summary = await produceDeletionRequests(producer, {
      ...base,
      count: 2_345,
      chunkSize: 500,
      clock: new FakeClock(),
      onDelivered: (d) => delivered.push(d),
    });

    expect(producer.written).toHaveLength(2_345);
    const ids = new Set<string>();
    for (const message of producer.written) {
      const decoded = decodeDeletionRequested(message.value);
      if (!decoded.ok) throw new Error(decoded.error.reason);
      expect(decoded.value.format).toBe("v1");
      expect(decoded.value.request.recordId).toBe(message.key);
      ids.add(message.key);
    }
    expect(ids.size).toBe(2_345);
    expect(ids.has("run1-000001") && ids.has("run1-002345")).toBe(true);

    const where = new Map(producer.written.map((w) => [w.key, `${w.partition}/${w.offset}`]));
    expect(delivered).toHaveLength(2_345);
    for (const d of delivered) expect(`${d.partition}/${d.offset}`).toBe(where.get(d.recordId));

    expect(summary).toMatchObject({
      requested: 2_345,
      produced: 2_345,
      partitions: [0, 1, 2],
      firstId: "run1-000001",
      lastId: "run1-002345",
      aborted: false,
    });
  });

  it("sends a whole chunk in one call when no per-record positions are asked for", async () => {
    const producer = new FakeProducer(3);
    const summary = await produceDeletionRequests(producer, {
      ...base,
      count: 2_345,
      chunkSize: 500,
      clock: new FakeClock(),
    });
    expect(producer.calls).toBe(5);
    expect(new Set(producer.written.map((w) => w.key)).size).toBe(2_345);
    expect(summary).toMatchObject({ produced: 2_345, partitions: [0, 1, 2], lastId: "run1-002345" });
  });

  it.each([
    ["whole chunks", undefined],
    ["one send per record", () => {}],
  ])("keeps at most maxChunksInFlight chunks waiting for acknowledgement (%s)", async (_, onDelivered) => {
    const producer = new FakeProducer();
    await produceDeletionRequests(producer, {
      ...base,
      count: 10_000,
      chunkSize: 100,
      maxChunksInFlight: 3,
      clock: new FakeClock(),
      onDelivered,
    });
    expect(producer.written).toHaveLength(10_000);
    expect(producer.maxOutstanding).toBe(300);
  });

  it("paces to the rate: 1,000 records at 100/s take 9.9 s of (fake) sleeping after the first chunk", async () => {
    const clock = new FakeClock();
    const producer = new FakeProducer();
    const summary = await produceDeletionRequests(producer, {
      ...base,
      count: 1_000,
      ratePerSecond: 100,
      clock,
    });
    expect(summary.produced).toBe(1_000);
    expect(clock.time).toBeCloseTo(9_900, 6);
    // ten records per chunk: each sleep is one chunk's worth at 100/s
    expect(new Set(clock.slept.map((ms) => Math.round(ms)))).toEqual(new Set([100]));
  });

  it("reports progress every 10 % for large runs", async () => {
    const progress: ProduceProgress[] = [];
    await produceDeletionRequests(new FakeProducer(), {
      ...base,
      count: 20_000,
      chunkSize: 1_000,
      clock: new FakeClock(),
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.produced)).toEqual([
      2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000,
    ]);
    expect(progress.every((p) => p.total === 20_000)).toBe(true);
  });

  it("rejects with the delivery error and starts no further chunks", async () => {
    const failure = new Error("Local: Message timed out");
    const producer = new FakeProducer(3, (key) => (key === "run1-000150" ? failure : undefined));
    await expect(
      produceDeletionRequests(producer, {
        ...base,
        count: 5_000,
        chunkSize: 100,
        maxChunksInFlight: 2,
        clock: new FakeClock(),
      }),
    ).rejects.toBe(failure);
    expect(producer.written.length).toBeLessThan(5_000);
  });

  it("stops starting chunks once aborted and says so in the summary", async () => {
    const abort = new AbortController();
    const producer = new FakeProducer();
    const summary = await produceDeletionRequests(producer, {
      ...base,
      count: 5_000,
      chunkSize: 100,
      maxChunksInFlight: 1,
      clock: new FakeClock(),
      signal: abort.signal,
      onDelivered: (d) => {
        if (d.recordId === "run1-000250") abort.abort();
      },
    });
    expect(summary.aborted).toBe(true);
    expect(summary.produced).toBe(300);
    expect(producer.written).toHaveLength(300);
    expect(summary.lastId).toBe("run1-000300");
  });
});
