import {
  type BatchContext,
  type BatchResult,
  PermanentDeletionError,
  type RecordStore,
  type SoftDeleteResult,
  TransientDeletionError,
} from "@deletion/record-store";
import { afterEach, describe, expect, it } from "vitest";
import { inProcessRuntime, input, RecordingPublisher, run } from "./fakes.js";

/** Records every call in order, so the test can see what ran before what. */
class JournalStore implements RecordStore {
  readonly journal: string[] = [];
  markFailures: Error[] = [];

  async markDeleted(recordId: string): Promise<SoftDeleteResult> {
    const failure = this.markFailures.shift();
    this.journal.push(`mark ${recordId}${failure ? " (failed)" : ""}`);
    if (failure) throw failure;
    return { rowsMarked: 1 };
  }

  async deleteBatch(recordId: string, { batch }: BatchContext): Promise<BatchResult> {
    this.journal.push(`batch ${recordId} ${batch}`);
    return { rowsDeleted: 5, rowsRemain: batch < 2 };
  }
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe("soft delete step", () => {
  it("marks the record once, before its first batch", async () => {
    const store = new JournalStore();
    const client = inProcessRuntime(store, new RecordingPublisher());
    stop = () => client.resonate.stop();
    const outcome = await run(client.runtime, input("r1"));
    expect(outcome).toMatchObject({ status: "completed", batches: 2, rowsDeleted: 10 });
    expect(store.journal).toEqual(["mark r1", "batch r1 1", "batch r1 2"]);
  });

  it("retries a transient failure, and a permanent one fails the attempt before any batch", async () => {
    const store = new JournalStore();
    store.markFailures = [new TransientDeletionError("lost connection")];
    const client = inProcessRuntime(store, new RecordingPublisher());
    stop = () => client.resonate.stop();
    expect(await run(client.runtime, input("r2"))).toMatchObject({ status: "completed" });
    expect(store.journal.slice(0, 3)).toEqual(["mark r2 (failed)", "mark r2", "batch r2 1"]);

    store.markFailures = [new PermanentDeletionError("permission denied")];
    const publisher = new RecordingPublisher();
    const other = inProcessRuntime(store, publisher);
    stop = () => {
      client.resonate.stop();
      other.resonate.stop();
    };
    const failed = await run(other.runtime, input("r3"));
    expect(failed).toMatchObject({ status: "failed", batches: 0, error: "permission denied" });
    expect(store.journal.filter((e) => e.includes("r3"))).toEqual(["mark r3 (failed)"]);
    expect(publisher.failures).toHaveLength(1);
  });

  it("a store without one (the simulated store) runs the batches alone", async () => {
    const batches: number[] = [];
    const store: RecordStore = {
      deleteBatch: async (_id, { batch }) => {
        batches.push(batch);
        return { rowsDeleted: 1, rowsRemain: false };
      },
    };
    const client = inProcessRuntime(store, new RecordingPublisher());
    stop = () => client.resonate.stop();
    expect(await run(client.runtime, input("r4"))).toMatchObject({ status: "completed", batches: 1 });
    expect(batches).toEqual([1]);
  });
});
