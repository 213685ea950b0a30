import { LOG_EVENTS } from "@deletion/contracts";
import { createResonateClient } from "@deletion/resonate-client";
import type { Context, Resonate } from "@resonatehq/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DELETION_DEPENDENCIES } from "../src/deletion-steps.js";
import {
  type BatchPauseMode,
  type BatchProgress,
  batchStep,
  DEFAULT_BATCH_PAUSE,
  DEFAULT_SEGMENT_BATCHES,
  DELETION_SEGMENT_NAME,
  type DeletionOutcome,
  type DeletionRequestInput,
  type DeletionRuntime,
  registerDeletionWorkflow,
  type SegmentResult,
  type WorkflowShapeOptions,
  workflowShape,
} from "../src/index.js";
import { input, RecordingPublisher, ScriptedStore, type Step } from "./fakes.js";

let resonate: Resonate | undefined;
afterEach(async () => {
  await resonate?.stop();
  resonate = undefined;
  vi.useRealTimers();
});

function setup(scripts: Record<string, Step[]>, shape: WorkflowShapeOptions) {
  const store = new ScriptedStore(scripts);
  const publisher = new RecordingPublisher();
  const logged: Record<string, unknown>[] = [];
  const record = (fields: Record<string, unknown>) => void logged.push(fields);
  const client = createResonateClient({ group: "test", pid: "shape-test", ttlMs: 60_000, logLevel: "error" });
  resonate = client.resonate;
  const runtime = registerDeletionWorkflow(client.resonate, {
    store,
    publisher,
    batchRetry: { initialDelayMs: 5, maxDelayMs: 20, maxRetries: 10 },
    logger: { info: record, warn: record, error: record },
    shape,
  });
  /** The id of the step that deleted each batch (its workflow's id is the part before the last dot). */
  const stepIds = () =>
    Object.fromEntries(
      logged.filter((l) => l.event === LOG_EVENTS.batchDeleted).map((l) => [l.batch, l.stepId]),
    );
  return { store, publisher, runtime, resonate: client.resonate, stepIds };
}

async function run(runtime: DeletionRuntime, request: DeletionRequestInput): Promise<DeletionOutcome> {
  const start = await runtime.begin(request);
  if (start.kind !== "started") throw new Error(`expected a start, got ${start.kind}`);
  const end = await start.end();
  if (end.kind !== "finished") throw new Error(`expected an outcome, got ${JSON.stringify(end)}`);
  return end.outcome;
}

const more = (n: number): Step[] => Array<Step>(n).fill("more");

describe("workflow shape", () => {
  it("defaults to the throttle pause and bounded segments", () => {
    expect(workflowShape()).toEqual({
      batchPause: DEFAULT_BATCH_PAUSE,
      segmentBatches: DEFAULT_SEGMENT_BATCHES,
    });
    expect(DEFAULT_BATCH_PAUSE).toBe("throttle");
    expect(workflowShape({ batchPause: "durable", segmentBatches: 7, segmentGroup: "g" })).toEqual({
      batchPause: "durable",
      segmentBatches: 7,
      segmentGroup: "g",
    });
    expect(() => workflowShape({ segmentBatches: 0 })).toThrow();
    expect(() => workflowShape({ batchPause: "nap" as BatchPauseMode })).toThrow();
  });
});

describe.each<BatchPauseMode>(["throttle", "durable"])(
  "%s pause, segments of 2 batches (in-process Resonate)",
  (mode) => {
    it("deletes every batch exactly once across segments and completes with the record's totals", async () => {
      // 5 batches = the root's own segment (1-2) and two handed-over segments (3-4, 5); batch 4
      // fails twice first. The root is replayed after each handed-over segment, and the segments
      // after their pauses (durable): a batch that was not checkpointed would run again.
      const { store, publisher, runtime, stepIds } = setup(
        { rec: [...more(3), "transient", "transient", "more", "last"] },
        { batchPause: mode, segmentBatches: 2, segmentGroup: "test" },
      );

      const outcome = await run(runtime, input("rec", 12));

      // Batches 1-2 are steps of the record's workflow; 3-4 steps of the segment it handed over to,
      // 5 a step of the segment that one handed over to (its child).
      const ids = stepIds();
      const workflowOf = (batch: number) => String(ids[batch]).replace(/[.:][^.:]*$/, "");
      expect(workflowOf(1)).toBe("deletion/rec");
      expect(workflowOf(2)).toBe("deletion/rec");
      expect(workflowOf(3)).toMatch(/^deletion\/rec:[^.]+$/);
      expect(workflowOf(4)).toBe(workflowOf(3));
      expect(workflowOf(5)).toMatch(new RegExp(`^${workflowOf(3)}\\.[^.]+$`));

      expect(store.callsFor("rec")).toEqual({ 1: 1, 2: 1, 3: 1, 4: 3, 5: 1 });
      expect(outcome).toMatchObject({
        status: "completed",
        batches: 5,
        rowsDeleted: 50,
        transientErrorsRetried: 2,
      });
      expect(publisher.completions).toHaveLength(1);
      expect(publisher.completions[0]).toMatchObject({
        source: { partition: 0, offset: "12" },
        batches: 5,
        rowsDeleted: 50,
        transientErrorsRetried: 2,
      });
    });

    it("a batch failing for good in a later segment dead-letters the record with the batches before it", async () => {
      const { store, publisher, runtime } = setup(
        { rec: [...more(3), "permanent"] },
        { batchPause: mode, segmentBatches: 2, segmentGroup: "test" },
      );

      const outcome = await run(runtime, input("rec"));

      expect(outcome).toMatchObject({ status: "failed", batches: 3, error: "permanent on rec#4" });
      expect(store.callsFor("rec")).toEqual({ 1: 1, 2: 1, 3: 1, 4: 1 });
      expect(publisher.completions).toHaveLength(0);
      expect(publisher.failures).toHaveLength(1);
      expect(publisher.failures[0]?.reason).toMatch(/after 3 completed batches: permanent on rec#4/);
    });
  },
);

describe("a handed-over segment", () => {
  it("continues the count of the segments before it", async () => {
    const { store, resonate } = setup({ rec: ["more", "transient", "last"] }, { segmentBatches: 4 });
    const progress: BatchProgress = { batches: 4, rowsDeleted: 40, transientErrorsRetried: 3 };
    const request = {
      ...input("rec", 0, 0),
      attempt: 1,
      shape: { batchPause: "throttle" as const, segmentBatches: 4, segmentGroup: "test" },
    };

    const result = await resonate.run<SegmentResult>("rec-segment", DELETION_SEGMENT_NAME, request, progress);

    // It deleted batches 5 and 6 (6 once, after one transient error) and stopped: no rows left.
    expect(store.callsFor("rec")).toEqual({ 5: 1, 6: 2 });
    expect(result).toEqual({
      state: "completed",
      progress: { batches: 6, rowsDeleted: 60, transientErrorsRetried: 4 },
    });
  });
});

describe("batchStep pause", () => {
  const ctxAt = (attempt: number) =>
    ({
      id: "rec:3",
      info: { attempt, timeout: Number.MAX_SAFE_INTEGER, version: 1 },
      // The deletion dependencies only: no pacer is registered.
      getDependency: (name: string) =>
        name === DELETION_DEPENDENCIES
          ? { store: new ScriptedStore({ rec: ["more"] }), logger: { info() {}, warn() {}, error() {} } }
          : undefined,
    }) as unknown as Context;
  const request = { ...input("rec"), attempt: 1, shape: workflowShape() };
  const zero: BatchProgress = { batches: 1, rowsDeleted: 10, transientErrorsRetried: 0 };

  it("waits the pause before deleting on the first attempt", async () => {
    vi.useFakeTimers();
    let deleted = false;
    const step = batchStep(ctxAt(1), request, 2, 60_000, zero).then(() => {
      deleted = true;
    });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(deleted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await step;
    expect(deleted).toBe(true);
  });

  it("does not wait again on a retry, which has waited its backoff", async () => {
    vi.useFakeTimers();
    const result = await batchStep(ctxAt(2), request, 2, 60_000, zero);
    expect(result).toMatchObject({ rowsRemain: true, attempt: 2 });
  });
});
