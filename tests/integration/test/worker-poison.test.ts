import { createHash, randomBytes } from "node:crypto";
import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeDeadLetters,
  type Pipeline,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { LEVEL, readTopic, stopAllApps, withAdmin } from "../support/index.js";

afterEach(stopAllApps);

/** A request padded with incompressible text to exactly `bytes`: valid JSON, far over the input limit. */
function paddedRequest(recordId: string, bytes: number): Buffer {
  const head = requestJson(recordId).replace(/}$/, ',"pad":"');
  const padLength = bytes - Buffer.byteLength(head) - 2;
  const pad = randomBytes(Math.ceil(padLength / 2))
    .toString("hex")
    .slice(0, padLength);
  const value = Buffer.from(`${head}${pad}"}`);
  expect(value.byteLength).toBe(bytes);
  return value;
}

async function committedOffset(pipeline: Pipeline, partition: number): Promise<bigint | undefined> {
  const offsets = await withAdmin(pipeline.brokers, (admin) =>
    admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
  );
  const entry = offsets[0]?.partitions.find((p) => p.partition === partition);
  return entry === undefined || Number(entry.offset) < 0 ? undefined : BigInt(entry.offset);
}

describe.each(resonateModes)("worker and poison messages $label", ({ url, skip }) => {
  const test = it.skipIf(skip);

  test("a 900 KiB request is dead-lettered truncated; every later record completes and the commit point passes it", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(
      pipeline,
      { BATCH_SLEEP_MS: "100", SIM_SEED: "5", SIM_TRANSIENT_ERROR_RATE: "0" },
      { resonateUrl: url },
    );

    const big = paddedRequest(pipeline.id("big"), 900 * 1024);
    const before = [0, 1, 2].map((i) => pipeline.id(`before-${i}`));
    const after = [0, 1, 2, 3, 4].map((i) => pipeline.id(`after-${i}`));
    const produced = await produceInOrder(brokers, pipeline.input, [
      ...before.map((id) => ({ key: id, value: requestJson(id) })),
      { key: "big", value: big },
      ...after.map((id) => ({ key: id, value: requestJson(id) })),
    ]);
    const bigOffset = produced.find((p) => p.key === "big")?.offset;
    expect(new Set(produced.map((p) => p.partition))).toEqual(new Set([0]));

    const completions = await readCompletionsOf(pipeline, [...before, ...after]);
    expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set([...before, ...after]));

    const [letter, ...extra] = decodeDeadLetters(
      await readTopic(brokers, pipeline.deadLetters, { expected: 1, timeoutMs: 60_000 }),
    );
    expect(extra).toEqual([]);
    expect(letter?.source).toEqual({ topic: pipeline.input, partition: 0, offset: bigOffset });
    expect(letter?.reasonCode).toBe("TOO_LARGE");
    expect(letter?.truncated).toBe(true);
    expect(letter?.valueLength).toBe(big.byteLength);
    expect(letter?.valueSha256).toBe(createHash("sha256").update(big).digest("hex"));
    expect(letter?.keyLength).toBe(3);
    expect(Buffer.from(letter?.keyBase64 ?? "", "base64").toString()).toBe("big");
    const prefix = Buffer.from(letter?.valueBase64 ?? "", "base64");
    expect(prefix.byteLength).toBe(256 * 1024 - 3);
    expect(prefix.equals(big.subarray(0, prefix.byteLength))).toBe(true);

    // A graceful stop commits what is safe: with every record done, that is the partition's end.
    await worker.waitForLog((l) => l.event === LOG_EVENTS.deadLettered);
    await worker.waitForLog(
      (l) => l.event === LOG_EVENTS.completed && l.recordId === completions.at(-1)?.recordId,
    );
    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    const lastOffset = BigInt(produced.at(-1)?.offset ?? "-1");
    expect(await committedOffset(pipeline, 0)).toBe(lastOffset + 1n);
  });

  test("a dead letter the broker refuses even in its minimal form stops the worker with exit code 1; its offset stays uncommitted", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    // A dead-letter topic that takes no real message at all: every record batch is larger.
    const deadLetters = `${pipeline.deadLetters}-tiny`;
    await withAdmin(brokers, (admin) =>
      admin.createTopics({
        topics: [
          {
            topic: deadLetters,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: "max.message.bytes", value: "64" }],
          },
        ],
      }),
    );
    const worker = await startWorker(
      { ...pipeline, deadLetters },
      { BATCH_SLEEP_MS: "100", SIM_SEED: "5", SIM_TRANSIENT_ERROR_RATE: "0" },
      { resonateUrl: url },
    );

    const first = pipeline.id("first");
    await produceInOrder(brokers, pipeline.input, [{ key: first, value: requestJson(first) }]);
    await readCompletionsOf(pipeline, [first]);
    // The first record is safe; its offset is committed before the bad one arrives.
    await worker.waitForLog((l) => l.event === LOG_EVENTS.completed && l.recordId === first);

    const later = pipeline.id("later");
    const produced = await produceInOrder(brokers, pipeline.input, [
      { key: "bad", value: '{"recordId": "x",' },
      { key: later, value: requestJson(later) },
    ]);
    const badOffset = BigInt(produced[0]?.offset ?? "-1");

    const exit = await worker.exited;
    expect(exit, `${worker.stdout()}\n${worker.stderr()}`).toEqual({ code: 1, signal: null });
    const fatal = worker.logs.find(
      (l) => l.level >= LEVEL.error && l.event === LOG_EVENTS.deadLetterUndeliverable,
    );
    expect(fatal, worker.stdout()).toBeDefined();
    expect(fatal?.topic).toBe(deadLetters);
    expect(fatal?.source).toEqual({ topic: pipeline.input, partition: 0, offset: String(badOffset) });
    expect(String(fatal?.brokerError)).toMatch(/too large/i);
    expect(fatal?.msg).toContain(deadLetters);
    expect(
      worker.logs.filter((l) => l.event === LOG_EVENTS.publishRefused && l.topic === deadLetters),
    ).toHaveLength(2);

    expect(await committedOffset(pipeline, 0)).toBe(badOffset);
  });
});
