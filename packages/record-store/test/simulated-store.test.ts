import { describe, expect, it } from "vitest";
import {
  PermanentDeletionError,
  SimulatedRecordStore,
  seededRandom,
  TransientDeletionError,
} from "../src/index.js";

async function outcome(
  store: SimulatedRecordStore,
  recordId: string,
  batch: number,
  attempt = 1,
  deletionAttempt = 1,
) {
  try {
    const result = await store.deleteBatch(recordId, { batch, attempt, deletionAttempt });
    return result.rowsRemain ? "more" : "last";
  } catch (error) {
    if (error instanceof TransientDeletionError) return "transient";
    throw error;
  }
}

describe("SimulatedRecordStore", () => {
  it("fails the first deletion attempt of the named records for good, and only that attempt", async () => {
    const store = new SimulatedRecordStore({
      transientErrorRate: 0,
      finishRate: 1,
      failFirstAttempt: new Set(["doomed"]),
    });
    await expect(outcome(store, "doomed", 1)).rejects.toBeInstanceOf(PermanentDeletionError);
    await expect(outcome(store, "doomed", 1, 1, 2)).resolves.toBe("last");
    await expect(outcome(store, "other", 1)).resolves.toBe("last");
  });

  it("with a seed, a step's outcome is the same in any store instance and any order", async () => {
    const a = new SimulatedRecordStore({ seed: 7 });
    const b = new SimulatedRecordStore({ seed: 7 });
    const steps = Array.from({ length: 50 }, (_, i) => ({ id: `r${i % 5}`, batch: (i % 10) + 1 }));
    const forward = await Promise.all(steps.map((s) => outcome(a, s.id, s.batch)));
    const backward = await Promise.all([...steps].reverse().map((s) => outcome(b, s.id, s.batch)));
    expect(backward.reverse()).toEqual(forward);
  });

  it("fails about 25 % of batches and finishes about 25 % of the rest (fixed seed)", async () => {
    const store = new SimulatedRecordStore({ seed: 1 });
    const counts = { transient: 0, more: 0, last: 0 };
    for (let i = 0; i < 4000; i++) counts[await outcome(store, `rec-${i}`, 1)]++;
    expect(counts.transient / 4000).toBeGreaterThan(0.22);
    expect(counts.transient / 4000).toBeLessThan(0.28);
    const succeeded = counts.more + counts.last;
    expect(counts.last / succeeded).toBeGreaterThan(0.22);
    expect(counts.last / succeeded).toBeLessThan(0.28);
  });

  it("takes exactly the fixed number of batches for a pinned record", async () => {
    const store = new SimulatedRecordStore({ transientErrorRate: 0, fixedBatches: new Map([["long", 4]]) });
    const seen = [];
    for (let batch = 1; batch <= 4; batch++) seen.push(await outcome(store, "long", batch));
    expect(seen).toEqual(["more", "more", "more", "last"]);
  });

  it("uses an injected random source when there is no seed", async () => {
    const values = [0.1, 0.9, 0.5, 0.9, 0.1];
    const store = new SimulatedRecordStore({ random: () => values.shift() ?? 0 });
    expect(await outcome(store, "x", 1)).toBe("transient"); // 0.1 < 0.25
    expect(await outcome(store, "x", 1)).toBe("more"); // 0.9: no error; 0.5: does not finish
    expect(await outcome(store, "x", 2)).toBe("last"); // 0.9: no error; 0.1: finishes
  });

  it("rejects rates that cannot terminate", () => {
    expect(() => new SimulatedRecordStore({ finishRate: 0 })).toThrow(/run forever/);
    expect(() => new SimulatedRecordStore({ transientErrorRate: 1 })).toThrow(/fail forever/);
    expect(() => new SimulatedRecordStore({ finishRate: 1.5 })).toThrow(/between 0 and 1/);
  });

  it("seededRandom is deterministic and in [0, 1)", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
