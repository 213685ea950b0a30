import type { BulkDeletionCompleted, BulkDeletionRequested, DeletionRequested } from "@deletion/contracts";
import { SimulatedBulkSelection } from "@deletion/record-store";
import { afterEach, describe, expect, it } from "vitest";
import { type BulkPublisher, PromiseIds, registerBulkWorkflow } from "../src/index.js";
import { inProcessRuntime, RecordingPublisher, ScriptedStore, type Step } from "./fakes.js";

/**
 * Forwards each published request to the record runtime, as a worker's dispatcher would, and
 * keeps what was published, in order.
 */
class ForwardingPublisher implements BulkPublisher {
  readonly requests: { bulkId: string; request: DeletionRequested }[] = [];
  readonly completions: BulkDeletionCompleted[] = [];
  /** Soft-deleted ids seen at each publish: the whole selection must be flagged before the first. */
  readonly flaggedAtPublish: number[] = [];
  constructor(
    private readonly forward: (request: DeletionRequested, offset: number) => Promise<void>,
    private readonly flagged: () => number,
  ) {}
  /** Called once, after the first page is out: what happens then, say a crash before the checkpoint. */
  afterFirstPublish: ((ids: string[]) => void | Promise<void>) | undefined;
  async publishRequests(bulkId: string, requests: readonly DeletionRequested[]): Promise<void> {
    this.flaggedAtPublish.push(this.flagged());
    for (const request of requests) {
      this.requests.push({ bulkId, request });
      await this.forward(request, this.requests.length);
    }
    const after = this.afterFirstPublish;
    this.afterFirstPublish = undefined;
    await after?.(requests.map((r) => r.recordId));
  }
  async publishCompleted(completion: BulkDeletionCompleted): Promise<void> {
    this.completions.push(completion);
  }
}

const population = Array.from({ length: 9 }, (_, i) => ({
  id: `c-${i + 1}`,
  fields: { tenant: i % 3 === 0 ? "acme" : "other" },
}));
const ACME = ["c-1", "c-4", "c-7"];

let stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function setUp(scripts: Record<string, Step[]> = {}) {
  const selection = new SimulatedBulkSelection({ records: population, selectors: ["tenant"] });
  const store = new ScriptedStore(scripts);
  const client = inProcessRuntime(store, new RecordingPublisher());
  stops.push(() => client.resonate.stop());
  const publisher = new ForwardingPublisher(
    async (request, offset) => {
      await client.runtime.begin({
        recordId: request.recordId,
        requestedAt: request.requestedAt,
        source: { topic: "records_to_be_deleted", partition: 0, offset: String(offset) },
        batchSleepMs: 1,
      });
    },
    () => selection.flagged.size,
  );
  const bulk = registerBulkWorkflow(client.resonate, {
    selection,
    publisher,
    recordIds: new PromiseIds(),
    shape: { pageSize: 2, softDeleteBatch: 2, followPollMs: 5 },
  });
  return { selection, store, publisher, bulk, client };
}

const request = (bulkId: string, fields: Partial<BulkDeletionRequested> = {}): BulkDeletionRequested => ({
  schemaVersion: 1,
  bulkId,
  requestedAt: new Date().toISOString(),
  selector: "tenant",
  params: { tenant: "acme" },
  ...fields,
});
const source = (offset: number) => ({
  topic: "bulk_deletions_requested",
  partition: 0,
  offset: String(offset),
});

async function finished(start: Awaited<ReturnType<ReturnType<typeof setUp>["bulk"]["begin"]>>) {
  const end = await start.end();
  if (end.kind !== "finished") throw new Error(`bulk did not finish: ${JSON.stringify(end)}`);
  return end.outcome;
}

describe("bulk workflow", () => {
  it("soft deletes the whole selection first, requests each record once, follows them and reports totals", async () => {
    const { selection, store, publisher, bulk } = setUp({ "c-4": ["more", "last"] });
    const outcome = await finished(await bulk.begin(request("b1"), source(0)));
    expect(outcome).toMatchObject({
      status: "completed",
      matched: 3,
      softDeleted: 3,
      requested: 3,
      deleted: 3,
      failed: 0,
      failedIds: [],
      rowsDeleted: 40,
    });
    expect(publisher.flaggedAtPublish[0]).toBe(3);
    expect([...selection.flagged].sort()).toEqual(ACME);
    expect(publisher.requests.map((r) => r.request.recordId)).toEqual(ACME);
    expect(publisher.requests.every((r) => r.bulkId === "b1")).toBe(true);
    expect(store.callsFor("c-2")).toEqual({});
    expect(publisher.completions).toHaveLength(1);
    expect(publisher.completions[0]).toMatchObject({
      bulkId: "b1",
      status: "completed",
      deleted: 3,
      rowsDeleted: 40,
    });
  });

  it("a page published again (its step ran, no checkpoint) sends the same ids, though its records are gone by then", async () => {
    const { selection, publisher, bulk } = setUp();
    publisher.afterFirstPublish = (ids) => {
      // The records are deleted (their rows gone from the selection), then the step fails
      // before its checkpoint, as a crash would leave it: the step runs again.
      selection.remove(ids);
      throw new Error("lost before the checkpoint");
    };
    const outcome = await finished(await bulk.begin(request("again"), source(0)));
    expect(publisher.requests.map((r) => r.request.recordId)).toEqual(["c-1", "c-4", "c-1", "c-4", "c-7"]);
    expect(outcome).toMatchObject({
      status: "completed",
      matched: 3,
      softDeleted: 3,
      requested: 3,
      deleted: 3,
      failed: 0,
      rowsDeleted: 30,
    });
  }, 20_000);

  it("runs once for the same bulkId requested twice", async () => {
    const { publisher, bulk } = setUp();
    const first = await bulk.begin(request("twice"), source(0));
    const second = await bulk.begin(request("twice"), source(1));
    expect(second.attached).toBe(true);
    expect(second.promiseId).toBe(first.promiseId);
    await finished(first);
    expect((await finished(second)).requested).toBe(3);
    expect(publisher.requests).toHaveLength(3);
    expect(publisher.completions).toHaveLength(1);
  });

  it("completes with zeros for an empty selection", async () => {
    const { publisher, bulk } = setUp();
    const outcome = await finished(
      await bulk.begin(request("empty", { params: { tenant: "nobody" } }), source(0)),
    );
    expect(outcome).toMatchObject({
      status: "completed",
      matched: 0,
      softDeleted: 0,
      requested: 0,
      deleted: 0,
    });
    expect(publisher.requests).toEqual([]);
    expect(publisher.completions).toMatchObject([{ bulkId: "empty", matched: 0, requested: 0 }]);
  });

  it("reports a record whose deletion failed for good by id", async () => {
    const { bulk } = setUp({ "c-7": ["permanent"] });
    const outcome = await finished(await bulk.begin(request("fails"), source(0)));
    expect(outcome).toMatchObject({ status: "completed", deleted: 2, failed: 1, failedIds: ["c-7"] });
  });

  it("stops publishing once cancelled and restores what it never requested", async () => {
    const { selection, publisher, bulk, client } = setUp();
    const data = Buffer.from(JSON.stringify({ restore: true })).toString("base64");
    await client.resonate.promises.create(bulk.ids.cancelOf("stop"), Date.now() + 60_000, { data });
    const outcome = await finished(await bulk.begin(request("stop"), source(0)));
    expect(outcome).toMatchObject({
      status: "cancelled",
      matched: 3,
      requested: 0,
      notRequested: 3,
      restored: 3,
    });
    expect(publisher.requests).toEqual([]);
    expect(selection.flagged.size).toBe(0);
  });

  it("completes when the cancel comes after every record was requested", async () => {
    const { publisher, bulk, client } = setUp();
    // Two ids, pages of two: the first page is full, so one more (empty) page is looked for.
    publisher.afterFirstPublish = async () => {
      await client.resonate.promises.create(bulk.ids.cancelOf("late"), Date.now() + 60_000);
    };
    const outcome = await finished(
      await bulk.begin(
        request("late", { selector: undefined, params: undefined, ids: ["c-2", "c-3"] }),
        source(0),
      ),
    );
    expect(outcome).toMatchObject({ status: "completed", requested: 2, deleted: 2, notRequested: 0 });
  });

  it("ends failed, with the reason, for a selector this deployment does not configure", async () => {
    const { publisher, bulk } = setUp();
    const outcome = await finished(
      await bulk.begin(request("unknown", { selector: "region", params: { region: "eu" } }), source(0)),
    );
    expect(outcome).toMatchObject({
      status: "failed",
      requested: 0,
      error: expect.stringContaining("not configured"),
    });
    expect(publisher.completions).toMatchObject([{ status: "failed" }]);
  });

  it("deletes an explicit list of ids", async () => {
    const { publisher, bulk } = setUp();
    const outcome = await finished(
      await bulk.begin(
        request("list", { selector: undefined, params: undefined, ids: ["c-2", "c-3", "zz"] }),
        source(0),
      ),
    );
    expect(outcome).toMatchObject({ matched: 2, requested: 2, deleted: 2 });
    expect(publisher.requests.map((r) => r.request.recordId)).toEqual(["c-2", "c-3"]);
  });
});
