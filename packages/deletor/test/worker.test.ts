import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type DurabilityStrategy, IN_PROCESS_DURABILITY, SERVER_DURABILITY } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { DeletorWorker } from "../src/worker.js";
import {
  capturingLogger,
  events,
  FakeConsumer,
  FakeRuntime,
  requestMessage,
  TOPIC,
  unusedProducer,
} from "./worker-fakes.js";

const p0 = { topic: TOPIC, partition: 0 };
const p1 = { topic: TOPIC, partition: 1 };

async function setup(
  durability: DurabilityStrategy,
  bounds: { maxInFlight: number; maxRunning?: number },
  commitTimeoutMs = 10_000,
) {
  const consumer = new FakeConsumer();
  const runtime = new FakeRuntime();
  const { logger, lines } = capturingLogger();
  const worker = new DeletorWorker({
    consumer,
    producer: unusedProducer,
    runtime,
    durability,
    groupId: "g",
    topics: { input: TOPIC, deadLetters: "dlq" },
    ...bounds,
    batchSleepMs: 0,
    commitIntervalMs: 60_000,
    commitTimeoutMs,
    logger,
    metrics: new WorkerMetrics({ processMetrics: false }),
  });
  await worker.start();
  consumer.assign([p0, p1]);
  return { consumer, runtime, lines, worker };
}

describe("DeletorWorker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("in-process: at --max-in-flight it holds partitions without waiting, and reads them again from the first message it refused", async () => {
    const { consumer, runtime, lines, worker } = await setup(IN_PROCESS_DURABILITY, { maxInFlight: 4 });
    for (let i = 0; i < 4; i++) consumer.deliver(requestMessage(`r${i}`, 0, i));
    await vi.waitFor(() => expect(events(lines, LOG_EVENTS.dispatched)).toHaveLength(4));
    expect(worker.readiness()).toMatchObject({ atBound: true, ready: true });
    // Already fetched by the client: refused, and each partition paused at its first refusal.
    consumer.deliver(requestMessage("r4", 0, 4));
    consumer.deliver(requestMessage("r5", 0, 5));
    consumer.deliver(requestMessage("s0", 1, 0));
    expect(runtime.begun).toEqual(["r0", "r1", "r2", "r3"]);
    expect(consumer.calls).toEqual([
      { op: "pause", partitions: [`${TOPIC}/0`] },
      { op: "pause", partitions: [`${TOPIC}/1`] },
    ]);
    expect(events(lines, LOG_EVENTS.paused)).toEqual([
      expect.objectContaining({ bound: "in-flight", inFlight: 4, running: 4 }),
    ]);

    runtime.finish("r0");
    await vi.waitFor(() => expect(worker.load.inFlight).toBe(3));
    expect(consumer.calls).toHaveLength(2); // 3 in flight: above half the bound
    runtime.finish("r1");
    await vi.waitFor(() => expect(consumer.calls).toHaveLength(5));
    expect(consumer.calls.slice(2)).toEqual([
      { op: "seek", partition: `${TOPIC}/0`, offset: "4" },
      { op: "seek", partition: `${TOPIC}/1`, offset: "0" },
      { op: "resume", partitions: [`${TOPIC}/0`, `${TOPIC}/1`] },
    ]);
    expect(events(lines, LOG_EVENTS.resumed)).toHaveLength(1);
    consumer.deliver(requestMessage("r4", 0, 4));
    await vi.waitFor(() => expect(runtime.begun).toContain("r4"));
    // Read again from r4: none of the refused messages was started while the partitions were held.
    expect(runtime.begun).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });

  it("server: records are safe at once, yet --max-running holds the partitions until workflows finish", async () => {
    const { consumer, runtime, lines, worker } = await setup(SERVER_DURABILITY, {
      maxInFlight: 100,
      maxRunning: 2,
    });
    consumer.deliver(requestMessage("a", 0, 0));
    consumer.deliver(requestMessage("b", 1, 0));
    await vi.waitFor(() => expect(worker.load).toEqual({ inFlight: 0, running: 2 }));
    consumer.deliver(requestMessage("c", 0, 1));
    expect(runtime.begun).toEqual(["a", "b"]);
    expect(events(lines, LOG_EVENTS.paused)).toEqual([expect.objectContaining({ bound: "running" })]);

    runtime.finish("a");
    await vi.waitFor(() => expect(worker.load.running).toBe(1));
    expect(consumer.calls.slice(1)).toEqual([
      { op: "seek", partition: `${TOPIC}/0`, offset: "1" },
      { op: "resume", partitions: [`${TOPIC}/0`] },
    ]);
    consumer.deliver(requestMessage("c", 0, 1));
    expect(runtime.begun).toEqual(["a", "b", "c"]);
  });

  it("on revoke, commits what is safe on the lost partitions, then forgets them", async () => {
    const { consumer, runtime, worker } = await setup(IN_PROCESS_DURABILITY, { maxInFlight: 100 });
    consumer.deliver(requestMessage("a", 0, 0));
    consumer.deliver(requestMessage("b", 0, 1));
    consumer.deliver(requestMessage("c", 1, 0));
    await vi.waitFor(() => expect(worker.load.running).toBe(3));
    runtime.finish("a");
    runtime.finish("c");
    await vi.waitFor(() => expect(worker.load).toEqual({ inFlight: 1, running: 1 }));

    await consumer.revoke([p0]);
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: "1" }]]);
    expect(worker.load.inFlight).toBe(0); // b was on partition 0: forgotten, to be redelivered
    runtime.finish("b"); // finishing late changes nothing about partition 0
    await vi.waitFor(() => expect(worker.load.running).toBe(0));

    await worker.stop(1_000);
    expect(consumer.commits.slice(1)).toEqual([[{ topic: TOPIC, partition: 1, offset: "1" }]]);
  });

  it("a revoke releases the bound: the lost partition is resumed, the others read again", async () => {
    const { consumer, runtime, lines } = await setup(IN_PROCESS_DURABILITY, { maxInFlight: 2 });
    consumer.deliver(requestMessage("a", 0, 0));
    consumer.deliver(requestMessage("b", 0, 1));
    consumer.deliver(requestMessage("c", 0, 2));
    consumer.deliver(requestMessage("d", 1, 5));
    await vi.waitFor(() => expect(events(lines, LOG_EVENTS.dispatched)).toHaveLength(2));
    expect(consumer.calls).toHaveLength(2); // both partitions held

    await consumer.revoke([p0]);
    expect(consumer.calls.slice(2)).toEqual([
      { op: "resume", partitions: [`${TOPIC}/0`] },
      { op: "seek", partition: `${TOPIC}/1`, offset: "5" },
      { op: "resume", partitions: [`${TOPIC}/1`] },
    ]);
    expect(events(lines, LOG_EVENTS.resumed)).toHaveLength(1);
    expect(runtime.begun).toEqual(["a", "b"]);
  });

  it("a commit that hangs inside the revoke callback is abandoned after the commit timeout", async () => {
    const { consumer, runtime, lines, worker } = await setup(SERVER_DURABILITY, { maxInFlight: 100 }, 10_000);
    consumer.deliver(requestMessage("a", 0, 0));
    await vi.waitFor(() => expect(worker.load).toEqual({ inFlight: 0, running: 1 }));
    consumer.commitBehaviour = "hang";
    vi.useFakeTimers();

    let revoked = false;
    const revoking = consumer.revoke([p0]).then(() => {
      revoked = true;
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(revoked).toBe(false); // still waiting for the commit
    await vi.advanceTimersByTimeAsync(1);
    await revoking; // returns: the consume loop is not held
    expect(events(lines, LOG_EVENTS.commitTimedOut)).toHaveLength(1);
    expect(events(lines, LOG_EVENTS.revoked)).toHaveLength(1);
    expect(worker.load.inFlight).toBe(0);
    runtime.finish("a");
  });

  it("shutdown gives up on a commit that hangs and still disconnects", async () => {
    const { consumer, runtime, lines, worker } = await setup(SERVER_DURABILITY, { maxInFlight: 100 }, 3_000);
    consumer.deliver(requestMessage("a", 0, 0));
    await vi.waitFor(() => expect(worker.load).toEqual({ inFlight: 0, running: 1 }));
    consumer.commitBehaviour = "hang";
    vi.useFakeTimers();

    const stopped = worker.stop(5_000);
    await vi.advanceTimersByTimeAsync(3_000);
    await stopped;
    expect(events(lines, LOG_EVENTS.commitTimedOut)).toHaveLength(1);
    expect(consumer.disconnected).toBe(true);
    runtime.finish("a");
  });

  it("stops while waiting at the bound: pauses everything, accepts nothing more, commits what is safe, disconnects", async () => {
    const { consumer, runtime, lines, worker } = await setup(SERVER_DURABILITY, {
      maxInFlight: 100,
      maxRunning: 1,
    });
    consumer.deliver(requestMessage("a", 0, 0));
    consumer.deliver(requestMessage("b", 0, 1)); // refused: at the running bound
    await vi.waitFor(() => expect(worker.load).toEqual({ inFlight: 0, running: 1 }));

    await worker.stop(1_000);
    expect(consumer.calls.at(-1)).toEqual({ op: "pause", partitions: [`${TOPIC}/0`, `${TOPIC}/1`] });
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: "1" }]]);
    expect(consumer.disconnected).toBe(true);
    expect(events(lines, LOG_EVENTS.stopping)).toEqual([
      expect.objectContaining({ inFlight: 0, unstarted: 0 }),
    ]);

    runtime.finish("a"); // below the bound now, but stopping: nothing is read again
    await vi.waitFor(() => expect(worker.load.running).toBe(0));
    expect(consumer.calls.filter((c) => c.op === "seek" || c.op === "resume")).toEqual([]);
    expect(worker.readiness()).toMatchObject({ ready: false, stopping: true });
  });

  it("in-process: shutdown waits for running workflows, then commits past them", async () => {
    const { consumer, runtime, worker } = await setup(IN_PROCESS_DURABILITY, { maxInFlight: 100 });
    consumer.deliver(requestMessage("a", 0, 0));
    await vi.waitFor(() => expect(runtime.begun).toEqual(["a"]));
    vi.useFakeTimers();
    let stopped = false;
    const stopping = worker.stop(5_000).then(() => {
      stopped = true;
    });
    // 4 of its 5 s later it is still waiting for the workflow, and has committed nothing.
    await vi.advanceTimersByTimeAsync(4_000);
    expect(stopped).toBe(false);
    expect(consumer.commits).toEqual([]);
    runtime.finish("a");
    await stopping;
    expect(consumer.commits).toEqual([[{ topic: TOPIC, partition: 0, offset: "1" }]]);
  });
});
