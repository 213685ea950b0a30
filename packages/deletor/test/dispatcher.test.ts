import { Writable } from "node:stream";
import type { DeadLetter } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import type { Durability } from "@deletion/resonate-client";
import type { AttemptEnd, DeletionRequestInput, DeletionRuntime, DeletionStart } from "@deletion/workflows";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { Dispatcher } from "../src/dispatcher.js";
import { durabilityStrategy } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { PartitionOffsets } from "../src/offset-tracker.js";

/** A runtime whose workflows finish only when the test says so. */
class FakeRuntime implements DeletionRuntime {
  readonly begun: DeletionRequestInput[] = [];
  failNextBegins = 0;
  /** While set, begin() calls hang until released: a slow Resonate server. */
  gate: Promise<void> | undefined;
  beginCalls = 0;
  /** Record ids whose promise id holds another application's promise. */
  readonly foreign = new Set<string>();
  /** Record ids whose latest attempt failed: the next request starts attempt 2. */
  readonly failedBefore = new Set<string>();
  private readonly ends = new Map<string, PromiseWithResolvers<AttemptEnd>>();
  private readonly completed = new Set<string>();

  async begin(request: DeletionRequestInput): Promise<DeletionStart> {
    this.beginCalls++;
    if (this.gate) await this.gate;
    if (this.failNextBegins > 0) {
      this.failNextBegins--;
      throw new Error("resonate unavailable");
    }
    this.begun.push(request);
    const { recordId } = request;
    const attempt = this.failedBefore.has(recordId) ? 2 : 1;
    const promiseId = attempt === 1 ? `deletion/${recordId}` : `deletion/${recordId}/attempt-2`;
    if (this.foreign.has(recordId)) {
      return { kind: "foreign", attempt, promiseId, reason: `promise ${promiseId} is not ours` };
    }
    if (this.completed.has(recordId)) return { kind: "finished", attempt, promiseId, status: "completed" };
    let end = this.ends.get(recordId);
    const attached = end !== undefined;
    if (!end) {
      end = Promise.withResolvers<AttemptEnd>();
      this.ends.set(recordId, end);
    }
    const promise = end.promise;
    return {
      kind: "started",
      attempt,
      promiseId,
      attached,
      ...(attempt === 2 ? { retryOf: `deletion/${recordId}` } : {}),
      end: () => promise,
    };
  }

  crash(recordId: string): void {
    this.ends.get(recordId)?.resolve({ kind: "crashed", error: "boom" });
  }

  /** The attempt's promise settled with a value that is not a deletion outcome. */
  endForeign(recordId: string): void {
    this.ends
      .get(recordId)
      ?.resolve({ kind: "foreign", reason: `promise deletion/${recordId} holds no outcome` });
  }

  finish(recordId: string): void {
    this.completed.add(recordId);
    this.ends.get(recordId)?.resolve({
      kind: "finished",
      outcome: {
        recordId,
        attempt: 1,
        status: "completed",
        batches: 1,
        rowsDeleted: 1,
        transientErrorsRetried: 0,
      },
    });
  }
}

function setup(durability: Durability) {
  const runtime = new FakeRuntime();
  const deadLetters: DeadLetter[] = [];
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const metrics = new WorkerMetrics({ processMetrics: false });
  const dispatcher = new Dispatcher({
    runtime,
    durability: durabilityStrategy(durability),
    publishDeadLetter: async (d) => {
      deadLetters.push(d);
    },
    batchSleepMs: 10,
    logger: pino({ level: "info" }, sink),
    metrics,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });
  const partition = new PartitionOffsets("requests", 0);
  return { runtime, deadLetters, lines, metrics, dispatcher, partition };
}

let nextOffset = 0;
const message = (value: string | Buffer | null, offset = nextOffset++): ConsumedMessage => ({
  topic: "requests",
  partition: 0,
  offset: String(offset),
  key: Buffer.from(recordIdIn(value) ?? "k"),
  value: typeof value === "string" ? Buffer.from(value) : value,
  timestamp: "1700000000000",
});
/** Requests are keyed by their recordId (the worker refuses any other key). */
function recordIdIn(value: string | Buffer | null): string | undefined {
  try {
    const parsed: unknown = JSON.parse(String(value));
    return typeof parsed === "object" && parsed !== null && "recordId" in parsed
      ? String(parsed.recordId)
      : undefined;
  } catch {
    return undefined;
  }
}
const request = (recordId: string) =>
  JSON.stringify({ schemaVersion: 1, recordId, requestedAt: "2026-11-27T00:00:00.000Z" });
/** The log lines with this event (for one record, if given). */
const logged = (lines: Record<string, unknown>[], event: string, recordId?: string) =>
  lines.filter((l) => l.event === event && (recordId === undefined || l.recordId === recordId));
const counter = async (metrics: WorkerMetrics, name: string) =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

describe("Dispatcher", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts a workflow per request with its source position, without waiting for it", async () => {
    const { runtime, dispatcher, partition } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    dispatcher.accept(message(request("b"), 1), partition);
    await vi.waitFor(() => expect(runtime.begun).toHaveLength(2));

    expect(runtime.begun.map((i) => [i.recordId, i.source.offset, i.batchSleepMs])).toEqual([
      ["a", "0", 10],
      ["b", "1", 10],
    ]);
    expect(runtime.begun[0]?.requestedAt).toBe("2026-11-27T00:00:00.000Z");
  });

  it("in-process: an offset is safe only when its workflow finished, in offset order", async () => {
    const { runtime, dispatcher, partition, lines } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    dispatcher.accept(message(request("b"), 1), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched)).toHaveLength(2));
    expect(partition.commitPosition()).toBe(0n);

    runtime.finish("b");
    await vi.waitFor(() => expect(dispatcher.running).toBe(1)); // b's end was seen
    expect(partition.commitPosition()).toBe(0n); // b is done but a is not: nothing moves

    runtime.finish("a");
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(2n));
  });

  it("server: an offset is safe as soon as its durable promise exists", async () => {
    const { dispatcher, partition, lines } = setup("server");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched)).toHaveLength(1));
    expect(partition.commitPosition()).toBe(1n);
  });

  it("dead-letters bad input with the reason and the original bytes, then marks it safe", async () => {
    const { dispatcher, partition, deadLetters, runtime, metrics } = setup("in-process");
    const raw = Buffer.from([0xff, 0xfe]);
    dispatcher.accept(message(raw, 0), partition);
    dispatcher.accept(message(null, 1), partition);
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(2n));

    expect(runtime.begun).toHaveLength(0);
    expect(deadLetters.map((d) => [d.reasonCode, d.source.offset])).toEqual([
      ["NOT_UTF8", "0"],
      ["EMPTY_VALUE", "1"],
    ]);
    expect(Buffer.from(deadLetters[0]?.valueBase64 ?? "", "base64")).toEqual(raw);
    expect(partition.commitPosition()).toBe(2n);
    expect(await counter(metrics, "deletor_messages_dead_lettered_total")).toBe(2);
  });

  it("retries a start that fails and keeps the offset unsafe meanwhile", async () => {
    vi.useFakeTimers();
    const { runtime, dispatcher, partition, metrics } = setup("server");
    runtime.failNextBegins = 3;
    dispatcher.accept(message(request("a"), 0), partition);
    expect(partition.commitPosition()).toBe(0n);
    // Back-off of 1, 2 and 4 ms: not yet through the third wait, the record is still unsafe.
    await vi.advanceTimersByTimeAsync(1 + 2);
    expect(runtime.beginCalls).toBe(3);
    expect(partition.commitPosition()).toBe(0n);
    await vi.advanceTimersByTimeAsync(4);
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(1n));

    expect(runtime.beginCalls).toBe(4);
    expect(runtime.begun.map((i) => i.recordId)).toEqual(["a"]);
    expect(partition.commitPosition()).toBe(1n);
    expect(await counter(metrics, "deletor_messages_dispatched_total")).toBe(1);
  });

  it("after stop, a start that cannot succeed is abandoned and its offset stays uncommitted", async () => {
    const { runtime, dispatcher, partition, lines } = setup("server");
    runtime.failNextBegins = 1_000;
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.retrying)).not.toHaveLength(0));
    dispatcher.stop();
    await dispatcher.drain(1_000);

    expect(dispatcher.startsInFlight).toBe(0);
    expect(partition.commitPosition()).toBe(0n);
  });

  it("logs a second request for a running id as a duplicate", async () => {
    const { dispatcher, partition, lines, metrics } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched, "a")).toHaveLength(1));
    dispatcher.accept(message(request("a"), 1), partition);
    await vi.waitFor(() => expect(lines.filter((l) => l.recordId === "a")).toHaveLength(2));

    const events = lines.filter((l) => l.recordId === "a").map((l) => [l.event, l.offset]);
    expect(events).toEqual([
      ["dispatched", "0"],
      ["duplicate", "1"],
    ]);
    expect(await counter(metrics, "deletor_duplicates_total")).toBe(1);
  });

  it("logs a request for an id that already finished as a duplicate, and it is safe at once", async () => {
    const { runtime, dispatcher, partition, lines } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched, "a")).toHaveLength(1));
    runtime.finish("a");
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(1n));
    dispatcher.accept(message(request("a"), 1), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.duplicate)).toHaveLength(1));

    expect(lines.find((l) => l.event === LOG_EVENTS.duplicate)).toMatchObject({
      recordId: "a",
      offset: "1",
      state: "finished",
      status: "completed",
      promiseId: "deletion/a",
    });
    expect(partition.commitPosition()).toBe(2n);
  });

  it("dead-letters a record whose workflow crashed, keeping its bytes, then marks it safe", async () => {
    const { runtime, dispatcher, partition, deadLetters, metrics, lines } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched, "a")).toHaveLength(1));
    runtime.crash("a");
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.deadLettered, "a")).toHaveLength(1));

    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ reasonCode: "WORKFLOW_FAILED", reason: "workflow crashed: boom" });
    expect(JSON.parse(Buffer.from(deadLetters[0]?.valueBase64 ?? "", "base64").toString())).toMatchObject({
      recordId: "a",
    });
    expect(partition.commitPosition()).toBe(1n);
    expect(await counter(metrics, "deletor_workflows_completed_total")).toBe(1);
  });

  it("pipelines starts: every message's start is under way before any one is acknowledged", async () => {
    const { runtime, dispatcher, partition } = setup("server");
    const release = Promise.withResolvers<void>();
    runtime.gate = release.promise;
    for (let i = 0; i < 20; i++) dispatcher.accept(message(request(`p${i}`), i), partition);
    await vi.waitFor(() => expect(runtime.beginCalls).toBe(20));

    expect(runtime.beginCalls).toBe(20);
    expect(dispatcher.startsInFlight).toBe(20);
    expect(partition.commitPosition()).toBe(0n);

    release.resolve();
    await vi.waitFor(() => expect(dispatcher.startsInFlight).toBe(0));
    expect(partition.commitPosition()).toBe(20n);
  });

  it("dead-letters a request whose promise id holds a foreign promise as FOREIGN_PROMISE, then marks it safe", async () => {
    for (const durability of ["server", "in-process"] as const) {
      const { runtime, dispatcher, partition, deadLetters, lines, metrics } = setup(durability);
      runtime.foreign.add("theirs");
      dispatcher.accept(message(request("theirs"), 0), partition);
      dispatcher.accept(message(request("ours"), 1), partition);
      await vi.waitFor(() => {
        expect(logged(lines, LOG_EVENTS.deadLettered, "theirs")).toHaveLength(1);
        expect(logged(lines, LOG_EVENTS.dispatched, "ours")).toHaveLength(1);
      });

      expect(deadLetters.map((d) => [d.reasonCode, d.source.offset])).toEqual([["FOREIGN_PROMISE", "0"]]);
      expect(deadLetters[0]?.reason).toBe("promise deletion/theirs is not ours");
      expect(JSON.parse(Buffer.from(deadLetters[0]?.valueBase64 ?? "", "base64").toString())).toMatchObject({
        recordId: "theirs",
      });
      expect(lines.find((l) => l.event === LOG_EVENTS.foreignPromise)).toMatchObject({
        recordId: "theirs",
        promiseId: "deletion/theirs",
      });
      runtime.finish("ours");
      await vi.waitFor(() => expect(dispatcher.running).toBe(0));
      expect(partition.commitPosition(), durability).toBe(2n);
      expect(await counter(metrics, "deletor_messages_dispatched_total")).toBe(1);
    }
  });

  it("dead-letters, never throws, when the attempt's promise ends with a value that is not an outcome", async () => {
    const { runtime, dispatcher, partition, deadLetters, metrics, lines } = setup("in-process");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched, "a")).toHaveLength(1));
    runtime.endForeign("a");
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.deadLettered, "a")).toHaveLength(1));

    expect(deadLetters.map((d) => d.reasonCode)).toEqual(["FOREIGN_PROMISE"]);
    expect(deadLetters[0]?.reason).toBe("promise deletion/a holds no outcome");
    expect(partition.commitPosition()).toBe(1n);
    expect(await counter(metrics, "deletor_workflows_completed_total")).toBe(1);
  });

  it("logs the retry of a failed deletion as a dispatch of its new attempt", async () => {
    const { runtime, dispatcher, partition, lines } = setup("server");
    runtime.failedBefore.add("a");
    dispatcher.accept(message(request("a"), 0), partition);
    await vi.waitFor(() => expect(logged(lines, LOG_EVENTS.dispatched)).toHaveLength(1));

    expect(lines.find((l) => l.event === LOG_EVENTS.dispatched)).toMatchObject({
      recordId: "a",
      deletionAttempt: 2,
      promiseId: "deletion/a/attempt-2",
      retryOf: "deletion/a",
    });
  });
});
