import { decodeDeletionRequested, LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeCompletions,
  decodeDeadLetters,
  type Pipeline,
  produceInOrder,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { logLines, readTopic, runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

/** Runs the re-drive command against a pipeline's topics; returns its summary log line too. */
async function redrive(pipeline: Pipeline, extra: string[] = []) {
  const run = await runApp(
    "redrive",
    [
      "--dead-letter-topic",
      pipeline.deadLetters,
      "--input-topic",
      pipeline.input,
      "--group-id",
      `${pipeline.groupId}.redrive`,
      ...extra,
    ],
    { KAFKA_BROKERS: pipeline.brokers },
  );
  const summary = logLines(run.stdout).find((l) => l.event === LOG_EVENTS.redriveSummary);
  return { ...run, summary };
}

describe("redrive command", () => {
  it("--help prints its usage; a bad flag or reason exits 2 naming it", async () => {
    const help = await runApp("redrive", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: redrive /);
    expect(help.stdout).toContain("--dry-run");
    expect(help.stdout).toContain("--reason");

    const bad = await runApp("redrive", ["--no-such-flag"]);
    expect(bad.code).toBe(2);
    const badReason = await runApp("redrive", ["--reason", "WORKFLOW_FAILED,NOPE"]);
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain("--reason");
    expect(badReason.stderr).toContain("NOPE");
  });
});

describe.each(resonateModes)("redrive after a failed deletion $label", ({ url, skip }) => {
  const test = it.skipIf(skip);
  test("re-publishes WORKFLOW_FAILED dead letters as fresh requests and the record completes; a re-run re-publishes nothing", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const failing = pipeline.id("failing");
    const healthy = pipeline.id("healthy");
    const worker = await startWorker(
      pipeline,
      { BATCH_SLEEP_MS: "50", SIM_TRANSIENT_ERROR_RATE: "0", SIM_FAIL_IDS: failing },
      { resonateUrl: url },
    );
    await produceInOrder(brokers, pipeline.input, [
      { key: failing, value: requestJson(failing) },
      { key: "bad", value: "{ not json" },
      { key: healthy, value: requestJson(healthy) },
    ]);
    const letters = decodeDeadLetters(
      await readTopic(brokers, pipeline.deadLetters, { expected: 2, timeoutMs: 60_000 }),
    );
    expect(letters.map((d) => d.reasonCode).sort()).toEqual(["INVALID_JSON", "WORKFLOW_FAILED"]);

    // A dry run says what it would do and publishes nothing.
    const dry = await redrive(pipeline, ["--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.summary).toMatchObject({ read: 2, republished: 0, wouldRepublish: 1, dryRun: true });
    expect(dry.stderr).toMatch(/dry run/);

    const run = await redrive(pipeline);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 2, republished: 1, dryRun: false });
    expect(run.summary?.skipped).toMatchObject({ reasonNotSelected: 1 });
    expect(run.stderr).toMatch(/re-published 1 /);

    // The fresh request sits on the request topic, keyed by record id, and deletes the record.
    const requests = await readTopic(brokers, pipeline.input, { expected: 4 });
    const fresh = requests.at(-1);
    expect(fresh?.key).toBe(failing);
    const decoded = decodeDeletionRequested(fresh?.value);
    expect(decoded.ok && decoded.value.request.recordId).toBe(failing);
    const completions = decodeCompletions(
      await readTopic(brokers, pipeline.output, {
        until: (messages) => messages.some((m) => m.key === failing),
        timeoutMs: 60_000,
      }),
    );
    expect(completions.filter((c) => c.recordId === failing)).toMatchObject([
      { attempt: 2, idempotencyKey: `deletion/${failing}/attempt-2` },
    ]);

    // Re-running continues where the last run stopped: nothing new to re-drive.
    const rerun = await redrive(pipeline);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.summary).toMatchObject({ read: 0, republished: 0 });

    // Re-driving the same dead letter again (--from-beginning) deletes nothing twice: the
    // record's latest attempt completed, so the new request is only reported as a duplicate.
    const again = await redrive(pipeline, ["--from-beginning"]);
    expect(again.summary).toMatchObject({ read: 2, republished: 1 });
    const lastRequest = (await readTopic(brokers, pipeline.input, { expected: 5 })).at(-1);
    await worker.waitForLog((l) => l.event === LOG_EVENTS.duplicate && l.offset === lastRequest?.offset);
    const after = decodeCompletions(await readTopic(brokers, pipeline.output, { expected: 2 }));
    expect(after.filter((c) => c.recordId === failing)).toHaveLength(1);
  });
});
