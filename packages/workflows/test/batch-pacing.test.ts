import type { Context } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { BATCH_PACER, type BatchPacer, inBatchTurn, type PacedSlot } from "../src/batch-pacing.js";

function contextWith(pacer: BatchPacer | undefined): Context {
  return {
    getDependency: (name: string) => (name === BATCH_PACER ? pacer : undefined),
  } as unknown as Context;
}

function recordingPacer(batchSize: number) {
  const outcomes: unknown[] = [];
  const pacer: BatchPacer = {
    acquire: async (): Promise<PacedSlot> => ({ batchSize, finish: (outcome) => outcomes.push(outcome) }),
  };
  return { pacer, outcomes };
}

describe("a batch's turn", () => {
  it("runs with the pacer's batch size and reports the rows deleted", async () => {
    const { pacer, outcomes } = recordingPacer(42);
    const limits: Array<number | undefined> = [];
    const result = await inBatchTurn(contextWith(pacer), async (limit) => {
      limits.push(limit);
      return { rowsDeleted: 42, rowsRemain: true };
    });
    expect(result).toEqual({ rowsDeleted: 42, rowsRemain: true });
    expect(limits).toEqual([42]);
    expect(outcomes).toEqual([{ rowsDeleted: 42 }]);
  });

  it("reports a failure to the pacer and throws it on to the step's retry", async () => {
    const { pacer, outcomes } = recordingPacer(10);
    const failure = new Error("lock timeout");
    await expect(
      inBatchTurn(contextWith(pacer), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(outcomes).toEqual([{ error: failure }]);
  });

  it("leaves the store's own batch size without a pacer", async () => {
    const limits: Array<number | undefined> = [];
    await inBatchTurn(contextWith(undefined), async (limit) => {
      limits.push(limit);
      return { rowsDeleted: 1 };
    });
    expect(limits).toEqual([undefined]);
  });
});
