import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeCompletions,
  decodeDeadLetters,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { readTopic, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

describe.each(resonateModes)("retrying a failed deletion $label", ({ url, skip }) => {
  const test = it.skipIf(skip);
  test("a new request for a failed id starts a new attempt that completes; a request for a completed id only reports it", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const failing = pipeline.id("failing");
    const contested = pipeline.id("contested");
    const healthy = pipeline.id("healthy");
    const worker = await startWorker(
      pipeline,
      {
        BATCH_SLEEP_MS: "50",
        SIM_TRANSIENT_ERROR_RATE: "0",
        // Their first attempt fails for good; a later attempt deletes normally.
        SIM_FAIL_IDS: `${failing},${contested}`,
      },
      { resonateUrl: url },
    );

    await produceInOrder(
      brokers,
      pipeline.input,
      [failing, contested, healthy].map((id) => ({ key: id, value: requestJson(id) })),
    );
    const firstLetters = decodeDeadLetters(
      await readTopic(brokers, pipeline.deadLetters, { expected: 2, timeoutMs: 60_000 }),
    );
    expect(firstLetters.map((d) => d.reasonCode)).toEqual(["WORKFLOW_FAILED", "WORKFLOW_FAILED"]);
    expect(firstLetters.map((d) => Buffer.from(d.keyBase64 ?? "", "base64").toString()).sort()).toEqual(
      [failing, contested].sort(),
    );
    await readCompletionsOf(pipeline, [healthy], 60_000);
    await worker.waitForLog((l) => l.event === LOG_EVENTS.failed && l.recordId === contested);

    // Again: one request for `failing`, two at once for `contested`, one for the deleted `healthy`.
    const again = await produceInOrder(
      brokers,
      pipeline.input,
      [failing, contested, contested, healthy].map((id) => ({ key: id, value: requestJson(id) })),
    );
    const repeat = again[3]?.offset;
    const completions = decodeCompletions(
      await readTopic(brokers, pipeline.output, {
        until: (messages) => new Set(messages.map((m) => m.key)).size >= 3,
        timeoutMs: 60_000,
      }),
    );
    const duplicate = await worker.waitForLog((l) => l.event === LOG_EVENTS.duplicate && l.offset === repeat);

    const of = (id: string) => completions.filter((c) => c.recordId === id);
    // The deleted record is only reported: no second deletion, no second completion.
    expect(of(healthy)).toHaveLength(1);
    expect(of(healthy)[0]).toMatchObject({ attempt: 1, idempotencyKey: `deletion/${healthy}` });
    expect(duplicate).toMatchObject({ recordId: healthy, state: "finished", status: "completed" });
    // Each failed record is deleted by a second attempt with a promise id of its own.
    expect(of(failing)).toHaveLength(1);
    expect(of(failing)[0]).toMatchObject({ attempt: 2, idempotencyKey: `deletion/${failing}/attempt-2` });
    // Two requests at once for a failed id: both go for attempt 2, one creates it, one attaches.
    expect(of(contested)).toHaveLength(1);
    expect(of(contested)[0]).toMatchObject({ attempt: 2, idempotencyKey: `deletion/${contested}/attempt-2` });
    expect(worker.logs.some((l) => String(l.promiseId ?? "").endsWith("/attempt-3"))).toBe(false);
    // Nothing new was dead-lettered.
    const letters = await readTopic(brokers, pipeline.deadLetters, { expected: 2 });
    expect(letters).toHaveLength(2);
  });
});
