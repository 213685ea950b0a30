import { BulkDeletionRequestedSchema, encodeMessage } from "@deletion/contracts";
import type { BulkStatus } from "@deletion/deletion-status";
import { describe, expect, it } from "vitest";
import { BulkBoard } from "../src/bulk-board.js";

const status = (bulkId: string, state: BulkStatus["state"]): BulkStatus => ({
  bulkId,
  promiseId: `p/${bulkId}`,
  state,
  matched: 50,
  softDeleted: 50,
  requested: 50,
  done: state === "completed" ? 50 : 10,
  failed: 0,
  failedIds: [],
  rowsDeleted: 0,
  notRequested: 0,
  restored: 0,
  cancelRequested: false,
});

const request = (bulkId: string) =>
  encodeMessage(BulkDeletionRequestedSchema, {
    schemaVersion: 1,
    bulkId,
    requestedAt: new Date(0).toISOString(),
    ids: ["a"],
  });

describe("BulkBoard", () => {
  it("learns bulks from their requests, keeps the last `limit`, newest first", () => {
    let changes = 0;
    const board = new BulkBoard({
      read: async (id) => status(id, "running"),
      limit: 2,
      onChange: () => changes++,
    });
    board.addRequested(request("b1"));
    board.addRequested(request("b2"));
    board.addRequested(Buffer.from("not a request"));
    board.addRequested(request("b3"));
    expect(board.list().map((b) => b.bulkId)).toEqual(["b3", "b2"]);
    expect(changes).toBe(3);
  });

  it("reads again only the bulks that have not ended", async () => {
    const reads: string[] = [];
    const states: Record<string, BulkStatus["state"]> = { done: "completed", busy: "running" };
    const board = new BulkBoard({
      read: async (id) => {
        reads.push(id);
        return status(id, states[id] ?? "unknown");
      },
      limit: 10,
      onChange: () => {},
    });
    board.track("done");
    board.track("busy");
    await board.refresh();
    expect(reads.sort()).toEqual(["busy", "done"]);
    reads.length = 0;
    await board.refresh();
    expect(reads).toEqual(["busy"]);
    expect(board.list().map((b) => [b.bulkId, b.state, b.done])).toEqual([
      ["busy", "running", 10],
      ["done", "completed", 50],
    ]);
  });
});
