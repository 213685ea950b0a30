import { decodeDeletionRequested, LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { readTopic, runApp, stopAllApps, withAdmin } from "../support/index.js";

afterEach(stopAllApps);

describe.each(resonateModes)("worker end to end $label", ({ url, skip }) => {
  const test = it.skipIf(skip);
  test("producer -n 200 -> worker -> every id completes exactly once with its source offset", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 3);
    const worker = await startWorker(
      pipeline,
      { BATCH_SLEEP_MS: "100", SIM_SEED: "11" },
      { resonateUrl: url },
    );

    const produced = await runApp(
      "producer",
      ["-n", "200", "--topic", pipeline.input, "--id-prefix", pipeline.id("e2e")],
      {
        KAFKA_BROKERS: brokers,
      },
    );
    expect(produced.code).toBe(0);

    const requests = await readTopic(brokers, pipeline.input, { expected: 200 });
    const positionOf = new Map(
      requests.map((m) => {
        const decoded = decodeDeletionRequested(m.value);
        if (!decoded.ok) throw new Error(decoded.error.reason);
        return [decoded.value.request.recordId, { partition: m.partition, offset: m.offset }];
      }),
    );
    expect(positionOf.size).toBe(200);

    const completions = await readCompletions(pipeline, 200);
    expect(completions).toHaveLength(200);
    expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set(positionOf.keys()));
    for (const c of completions) {
      expect(c.source, c.recordId).toEqual({ topic: pipeline.input, ...positionOf.get(c.recordId) });
      expect(c.workflowId).toBe(`deletion/${c.recordId}`);
      expect(c.idempotencyKey).toBe(`deletion/${c.recordId}`);
      expect(c.batches).toBeGreaterThanOrEqual(1);
    }
    // Records finish out of order: the completion topic is not in input order.
    const inputOrder = [...positionOf.keys()];
    expect(completions.map((c) => c.recordId)).not.toEqual(inputOrder);

    // Once everything is done, the group has committed the end of every partition.
    await worker.waitForLog(
      (l) => l.event === LOG_EVENTS.completed && l.recordId === completions.at(-1)?.recordId,
    );
    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    const committed = await withAdmin(brokers, (admin) =>
      admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
    );
    const ends = new Map<number, bigint>();
    for (const m of requests)
      ends.set(
        m.partition,
        BigInt(m.offset) + 1n > (ends.get(m.partition) ?? 0n)
          ? BigInt(m.offset) + 1n
          : (ends.get(m.partition) ?? 0n),
      );
    for (const p of committed[0]?.partitions ?? []) {
      expect(BigInt(p.offset), `partition ${p.partition}`).toBe(ends.get(p.partition) ?? 0n);
    }
  });

  test("head-of-line: 50 one-batch records produced after a long one all complete before it", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    await startWorker(
      pipeline,
      {
        BATCH_SLEEP_MS: "500",
        SIM_TRANSIENT_ERROR_RATE: "0",
        SIM_FINISH_RATE: "1",
        SIM_FIXED_BATCHES: `${pipeline.id("long")}=8`,
      },
      { resonateUrl: url },
    );
    const longId = pipeline.id("long");
    const shortIds = Array.from({ length: 50 }, (_, i) => pipeline.id(`short-${String(i).padStart(2, "0")}`));
    const produced = await produceInOrder(
      brokers,
      pipeline.input,
      [longId, ...shortIds].map((id) => ({ key: id, value: requestJson(id) })),
    );
    expect(produced.map((p) => p.offset)).toEqual(Array.from({ length: 51 }, (_, i) => String(i)));

    const completions = await readCompletions(pipeline, 51);

    expect(completions.map((c) => c.recordId).at(-1)).toBe(longId);
    expect(new Set(completions.slice(0, 50).map((c) => c.recordId))).toEqual(new Set(shortIds));
    expect(completions.at(-1)).toMatchObject({ batches: 8, source: { partition: 0, offset: "0" } });
  });
});
