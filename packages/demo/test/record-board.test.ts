import type { DeletionCompleted } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { describeState, RecordBoard, renderBoard, summarize } from "../src/index.js";

const completion = (recordId: string, batches: number, retries = 0): DeletionCompleted => ({
  schemaVersion: 1,
  recordId,
  source: { topic: "t", partition: 0, offset: "0" },
  completedAt: "2026-11-27T00:00:00.000Z",
  batches,
  rowsDeleted: batches * 100,
  transientErrorsRetried: retries,
  workflowId: recordId,
});

describe("RecordBoard", () => {
  it("follows a record from queued through batches and retries to done", () => {
    const board = new RecordBoard(["a"]);
    const state = () => describeState(board.list()[0]?.state ?? { kind: "queued" });
    expect(state()).toBe("queued");

    board.applyWorkerEvent({ event: LOG_EVENTS.dispatched, recordId: "a", partition: 2, offset: "41" });
    expect(state()).toBe("deleting batch 1");
    board.applyWorkerEvent({ event: LOG_EVENTS.batchDeleted, recordId: "a", batch: 1, rowsRemain: true });
    expect(state()).toBe("deleting batch 2");
    board.applyWorkerEvent({ event: LOG_EVENTS.batchFailed, recordId: "a", batch: 2, attempt: 1 });
    expect(state()).toBe("retrying batch 2 after an error");
    board.applyWorkerEvent({ event: LOG_EVENTS.batchDeleted, recordId: "a", batch: 2, rowsRemain: false });
    board.applyCompletion(completion("a", 2, 1));

    const [row] = board.list();
    expect(row).toMatchObject({ partition: 2, offset: "41", batches: 2, retries: 1, completionPosition: 1 });
    expect(state()).toBe("done");
    expect(board.allFinished).toBe(true);
  });

  it("ignores records of other runs and a repeated completion", () => {
    const board = new RecordBoard(["a", "b"]);
    board.applyWorkerEvent({ event: LOG_EVENTS.dispatched, recordId: "zzz", offset: "1" });
    board.applyCompletion(completion("zzz", 1));
    board.applyCompletion(completion("b", 1));
    board.applyCompletion(completion("b", 1));
    expect(board.list().map((r) => r.completionPosition)).toEqual([undefined, 1]);
    expect(board.finished).toBe(1);
  });
});

describe("summarize", () => {
  it("counts the records that overtook the first one", () => {
    const board = new RecordBoard(["first", "b", "c", "d"]);
    for (const [id, batches] of [
      ["c", 1],
      ["b", 1],
      ["first", 5],
      ["d", 6],
    ] as const) {
      board.applyCompletion(completion(id, batches));
    }
    const summary = summarize(board.list(), 1234);
    expect(summary.inputOrder).toEqual(["first", "b", "c", "d"]);
    expect(summary.completionOrder).toEqual(["c", "b", "first", "d"]);
    expect(summary.overtookFirst).toBe(2);
    expect(summary.totalBatches).toBe(13);
    expect(summary.completed).toBe(4);
  });

  it("renders one row per record in input order", () => {
    const board = new RecordBoard(["a", "b"]);
    board.applyCompletion(completion("b", 1));
    const lines = renderBoard(board.list(), 2000).split("\n");
    expect(lines[0]).toBe("1/2 records deleted, 2.0 s");
    expect(lines[2]).toMatch(/^ {2}1 .* a .*queued/);
    expect(lines[3]).toMatch(/^ {2}2 .* b .*done .*#1$/);
  });
});
