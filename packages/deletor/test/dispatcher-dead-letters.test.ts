import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import type { DeadLetter } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import { KafkaJS } from "@deletion/kafka";
import type { DeletionRuntime } from "@deletion/workflows";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { Dispatcher } from "../src/dispatcher.js";
import { IN_PROCESS_DURABILITY } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { PartitionOffsets } from "../src/offset-tracker.js";

const DLQ = "requests.dlq";
const tooLarge = () =>
  new KafkaJS.KafkaJSError("Broker: Message size too large", {
    code: KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  });

/** Bad input only: no workflow is ever started. */
const runtime: DeletionRuntime = {
  begin: () => Promise.reject(new Error("no workflow expected")),
};

function setup(refuse: (deadLetter: DeadLetter) => Error | undefined) {
  const published: DeadLetter[] = [];
  const lines: Record<string, unknown>[] = [];
  const fatal: Error[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const metrics = new WorkerMetrics({ processMetrics: false });
  const dispatcher = new Dispatcher({
    runtime,
    durability: IN_PROCESS_DURABILITY,
    publishDeadLetter: async (d) => {
      const error = refuse(d);
      if (error) throw error;
      published.push(d);
    },
    deadLetters: { topic: DLQ, maxOriginalBytes: 1_024, giveUpAfterMs: 60_000 },
    onUndeliverable: (e) => fatal.push(e),
    batchSleepMs: 10,
    logger: pino({ level: "info" }, sink),
    metrics,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });
  const partition = new PartitionOffsets("requests", 0);
  return { published, lines, fatal, metrics, dispatcher, partition };
}

const message = (value: Buffer, offset: number): ConsumedMessage => ({
  topic: "requests",
  partition: 0,
  offset: String(offset),
  key: Buffer.from("k"),
  value,
  timestamp: "1700000000000",
});
const refusedCount = async (metrics: WorkerMetrics) =>
  (await metrics.publishRefused.get()).values.map((v) => ({ labels: v.labels, value: v.value }));

describe("Dispatcher dead-letter policy", () => {
  it("dead-letters an over-large request with a bounded, truncated copy and its sha256", async () => {
    const { dispatcher, partition, published } = setup(() => undefined);
    const huge = Buffer.alloc(900 * 1024, "x");
    dispatcher.accept(message(huge, 0), partition);
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(1n));

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      reasonCode: "TOO_LARGE",
      truncated: true,
      valueLength: huge.byteLength,
      valueSha256: createHash("sha256").update(huge).digest("hex"),
    });
    expect(Buffer.from(published[0]?.valueBase64 ?? "", "base64").byteLength).toBe(1_023);
    expect(partition.commitPosition()).toBe(1n);
  });

  it("a dead letter refused for good goes out minimal: logged, counted, and the offset becomes safe", async () => {
    const { dispatcher, partition, published, lines, metrics, fatal } = setup((d) =>
      d.valueBase64 !== null ? tooLarge() : undefined,
    );
    dispatcher.accept(message(Buffer.from("{not json"), 0), partition);
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(1n));

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      reasonCode: "INVALID_JSON",
      keyBase64: null,
      valueBase64: null,
      valueLength: 9,
      minimal: { reason: "ERR_MSG_SIZE_TOO_LARGE", brokerError: "Broker: Message size too large" },
    });
    expect(lines.find((l) => l.event === LOG_EVENTS.publishRefused)).toMatchObject({
      level: 50,
      topic: DLQ,
      kind: "dead letter",
      partition: 0,
      offset: "0",
      reason: "ERR_MSG_SIZE_TOO_LARGE",
      brokerError: "Broker: Message size too large",
    });
    expect(lines.find((l) => l.event === LOG_EVENTS.deadLettered)).toMatchObject({ minimal: true });
    expect(await refusedCount(metrics)).toEqual([
      { labels: { topic: DLQ, reason: "ERR_MSG_SIZE_TOO_LARGE" }, value: 1 },
    ]);
    expect(partition.commitPosition()).toBe(1n);
    expect(fatal).toEqual([]);
  });

  it("both refused: the worker is told to stop with an error naming the topic; the offset stays unsafe", async () => {
    const { dispatcher, partition, published, lines, metrics, fatal } = setup(() => tooLarge());
    dispatcher.accept(message(Buffer.from("{not json"), 0), partition);
    await vi.waitFor(() => expect(fatal).toHaveLength(1));

    expect(published).toEqual([]);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.message).toContain(`topic ${DLQ}`);
    expect(fatal[0]?.message).toContain("Broker: Message size too large");
    expect(lines.find((l) => l.event === LOG_EVENTS.deadLetterUndeliverable)).toMatchObject({
      level: 60,
      topic: DLQ,
      source: { topic: "requests", partition: 0, offset: "0" },
      brokerError: "Broker: Message size too large",
    });
    expect(lines.some((l) => l.event === LOG_EVENTS.deadLettered)).toBe(false);
    expect(await refusedCount(metrics)).toEqual([
      { labels: { topic: DLQ, reason: "ERR_MSG_SIZE_TOO_LARGE" }, value: 2 },
    ]);
    expect(partition.commitPosition()).toBe(0n);
  });
});
