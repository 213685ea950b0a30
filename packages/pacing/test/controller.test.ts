import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BatchSlot, type PacingChange, PacingController, type PacingOptions } from "../src/index.js";

const base: PacingOptions = {
  mode: "adaptive",
  batchSize: { targetBatchMs: 250, minBatchSize: 10, maxBatchSize: 1_000, initialBatchSize: 100, window: 3 },
  maxConcurrentBatches: 2,
  backoff: { initialMs: 100, maxMs: 800 },
};

function controller(options: Partial<PacingOptions> = {}) {
  const changes: PacingChange[] = [];
  const pacer = new PacingController({ ...base, ...options, onChange: (c) => changes.push(c) });
  return { pacer, changes };
}

/** Starts n acquires; `granted` fills as the controller hands out slots. */
function request(pacer: PacingController, n: number) {
  const granted: BatchSlot[] = [];
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    void pacer.acquire().then((slot) => {
      granted.push(slot);
      order.push(i);
    });
  }
  return { granted, order };
}

/** Acquires a slot, letting the fake clock run past any spacing of starts. */
async function acquireAfter(pacer: PacingController, ms: number): Promise<BatchSlot> {
  let slot: BatchSlot | undefined;
  void pacer.acquire().then((granted) => {
    slot = granted;
  });
  await vi.advanceTimersByTimeAsync(0);
  if (!slot) await vi.advanceTimersByTimeAsync(ms);
  if (!slot) throw new Error(`no slot within ${ms} ms`);
  return slot;
}

/** Runs one batch that takes `ms` on the fake clock and deletes `rows` (default: the full size). */
async function runBatch(pacer: PacingController, ms: number, rows?: number): Promise<number> {
  const slot = await acquireAfter(pacer, 1_000);
  await vi.advanceTimersByTimeAsync(ms);
  slot.finish({ rowsDeleted: rows ?? slot.batchSize });
  return slot.batchSize;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("concurrency cap", () => {
  it("runs at most maxConcurrentBatches at once and starts the waiting ones in arrival order", async () => {
    const { pacer } = controller({ maxConcurrentBatches: 2 });
    const { granted, order } = request(pacer, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(2);
    expect(pacer.state()).toMatchObject({ running: 2, waiting: 3 });
    granted[0]?.finish({ rowsDeleted: 100 });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(3);
    granted[1]?.finish({ rowsDeleted: 100 });
    granted[2]?.finish({ rowsDeleted: 100 });
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(pacer.state()).toMatchObject({ running: 2, waiting: 0 });
  });

  it("counts a slot finished twice once", async () => {
    const { pacer } = controller({ maxConcurrentBatches: 1 });
    const { granted } = request(pacer, 3);
    await vi.advanceTimersByTimeAsync(0);
    granted[0]?.finish({ rowsDeleted: 1 });
    granted[0]?.finish({ rowsDeleted: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(2);
    expect(pacer.state().running).toBe(1);
  });
});

describe("batch size", () => {
  it("grows by 10 % while the moving average is under 90 % of the target, up to the maximum", async () => {
    const { pacer, changes } = controller({
      batchSize: { ...base.batchSize, maxBatchSize: 130 },
    });
    const sizes: number[] = [];
    for (let i = 0; i < 12; i++) sizes.push(await runBatch(pacer, 100));
    expect(sizes).toEqual([100, 100, 100, 110, 110, 110, 121, 121, 121, 130, 130, 130]);
    expect(changes.map((c) => [c.cause, c.batchSize])).toEqual([
      ["batch_time", 110],
      ["batch_time", 121],
      ["batch_time", 130],
    ]);
  });

  it("shrinks by 20 % while the average is over the target, down to the minimum", async () => {
    const { pacer } = controller({ batchSize: { ...base.batchSize, minBatchSize: 70 } });
    const sizes: number[] = [];
    for (let i = 0; i < 9; i++) sizes.push(await runBatch(pacer, 400));
    expect(sizes).toEqual([100, 100, 100, 80, 80, 80, 70, 70, 70]);
  });

  it("holds the size inside the band and ignores short tail batches", async () => {
    const { pacer, changes } = controller();
    for (let i = 0; i < 5; i++) await runBatch(pacer, 240);
    // Tail batches (under half the size) are fast whatever the table's state: not evidence.
    for (let i = 0; i < 5; i++) await runBatch(pacer, 1, 3);
    expect(pacer.state().batchSize).toBe(100);
    expect(changes).toEqual([]);
  });

  it("fixed mode keeps the initial size whatever the batch time", async () => {
    const { pacer, changes } = controller({ mode: "fixed" });
    for (let i = 0; i < 6; i++) await runBatch(pacer, 5_000);
    expect(pacer.state().batchSize).toBe(100);
    expect(changes).toEqual([]);
  });
});

describe("signals", () => {
  it("holds every new batch while a signal holds and resumes when it clears; running ones finish", async () => {
    const { pacer, changes } = controller();
    const first = request(pacer, 1);
    await vi.advanceTimersByTimeAsync(0);
    pacer.setSignal("replica_lag", { level: "hold", reason: "lag 3000 ms over 1500 ms" });
    const held = request(pacer, 2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(held.granted).toHaveLength(0);
    first.granted[0]?.finish({ rowsDeleted: 100 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(held.granted).toHaveLength(0);
    expect(pacer.state()).toMatchObject({ holds: ["replica_lag: lag 3000 ms over 1500 ms"], waiting: 2 });
    // A new reading of the same level changes nothing and logs nothing.
    pacer.setSignal("replica_lag", { level: "hold", reason: "lag 2500 ms over 1500 ms" });
    pacer.setSignal("replica_lag", { level: "ok" });
    await vi.advanceTimersByTimeAsync(0);
    expect(held.granted).toHaveLength(2);
    expect(changes.map((c) => [c.cause, c.reason])).toEqual([
      ["signal", "replica_lag: lag 3000 ms over 1500 ms"],
      ["recovered", "replica_lag: recovered (was hold)"],
    ]);
  });

  it("stays held until every holding signal clears", async () => {
    const { pacer } = controller();
    pacer.setSignal("brake", { level: "hold", reason: "maintenance" });
    pacer.setSignal("replica_lag", { level: "hold", reason: "lag" });
    const { granted } = request(pacer, 1);
    pacer.setSignal("brake", { level: "ok" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(granted).toHaveLength(0);
    pacer.setSignal("replica_lag", { level: "ok" });
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(1);
  });

  it("spaces batch starts by the slow interval while a signal says slow", async () => {
    const { pacer } = controller({ maxConcurrentBatches: 10, slowIntervalMs: 1_000 });
    pacer.setSignal("autovacuum", { level: "slow", reason: "vacuum on order_lines" });
    expect(pacer.state()).toMatchObject({ intervalMs: 1_000, batchesPerSecond: 1 });
    const { granted } = request(pacer, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toHaveLength(2);
    pacer.setSignal("autovacuum", { level: "ok" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(granted).toHaveLength(3);
    expect(pacer.state()).toMatchObject({ intervalMs: 0, batchesPerSecond: null });
  });
});

describe("push-back from the database", () => {
  const lockTimeout = Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" });
  const classify = (error: unknown) =>
    (error as { code?: string }).code === "55P03" ? ("lock_timeout" as const) : undefined;

  it("backs off exponentially and shrinks the batch on lock timeouts, then recovers on successes", async () => {
    const { pacer, changes } = controller({ classify });
    for (const expected of [100, 200, 400, 800, 800]) {
      const slot = await acquireAfter(pacer, 1_000);
      slot.finish({ error: lockTimeout });
      expect(pacer.state().intervalMs).toBe(expected);
    }
    expect(pacer.state().batchSize).toBe(33); // 100 * 0.8^5, rounded at each step
    const intervals: number[] = [];
    for (let i = 0; i < 4; i++) {
      await runBatch(pacer, 10, 1);
      intervals.push(pacer.state().intervalMs);
    }
    expect(intervals).toEqual([400, 200, 100, 0]);
    expect(changes.filter((c) => c.cause === "push_back")).toHaveLength(5);
    expect(changes.at(-1)).toMatchObject({ cause: "recovered", intervalMs: 0 });
  });

  it("ignores failures that are not push-back (a lost connection, a bug)", async () => {
    const { pacer, changes } = controller({ classify });
    const slot = await pacer.acquire();
    slot.finish({ error: new Error("Connection terminated") });
    expect(pacer.state()).toMatchObject({ intervalMs: 0, batchSize: 100 });
    expect(changes).toEqual([]);
  });
});
