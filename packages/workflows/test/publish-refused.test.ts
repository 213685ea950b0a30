import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";
import { silentLogger } from "@deletion/contracts";
import { createResonateClient } from "@deletion/resonate-client";
import type { Resonate } from "@resonatehq/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { DELETION_DEPENDENCIES, type DeletionDependencies } from "../src/deletion-steps.js";
import {
  batchRetryPolicy,
  type CompletionPublisher,
  type DeletionOutcome,
  deletionWorkflow,
  PermanentPublishError,
  workflowShape,
} from "../src/index.js";
import { ScriptedStore } from "./fakes.js";

let resonate: Resonate | undefined;
afterEach(async () => {
  await resonate?.stop();
  resonate = undefined;
});

/** What the Kafka publisher rejects with when the broker refuses a message for good. */
class RefusedError extends Error {
  readonly permanent = true;
}

/** Refuses what the test says, counting every call. */
class RefusingPublisher implements CompletionPublisher {
  completedCalls = 0;
  readonly failures: DeadLetter[] = [];
  constructor(private readonly refuse: { completions: boolean; deadLetters: boolean }) {}

  async publishCompleted(_completion: DeletionCompleted): Promise<void> {
    this.completedCalls++;
    if (this.refuse.completions)
      throw new RefusedError("completion refused: Broker: Topic authorization failed");
  }

  async publishFailed(deadLetter: DeadLetter): Promise<void> {
    this.failures.push(deadLetter);
    if (this.refuse.deadLetters)
      throw new RefusedError("minimal dead letter refused: Broker: Message size too large");
  }
}

/** Runs the workflow itself on the in-process network: a record deleted in one batch. */
function setup(publisher: RefusingPublisher) {
  const client = createResonateClient({
    group: "test",
    pid: "test-worker",
    ttlMs: 60_000,
    logLevel: "error",
  });
  resonate = client.resonate;
  const deps: DeletionDependencies = {
    store: new ScriptedStore({}),
    publisher,
    logger: silentLogger,
    batchRetryPolicy: batchRetryPolicy({ initialDelayMs: 5, maxDelayMs: 20, maxRetries: 10 }),
  };
  client.resonate.setDependency(DELETION_DEPENDENCIES, deps);
  const workflow = client.resonate.register("deleteRecord", deletionWorkflow);
  return async (recordId: string, offset = 0): Promise<DeletionOutcome> => {
    const source = { topic: "records_to_be_deleted", partition: 0, offset: String(offset) };
    const handle = await workflow.beginRun(recordId, {
      recordId,
      attempt: 1,
      requestedAt: "2026-11-27T00:00:00.000Z",
      source,
      batchSleepMs: 1,
      shape: workflowShape(),
    });
    return handle.result();
  };
}

describe("a publish refused for good inside the workflow", () => {
  it("a refused completion is not retried: the attempt ends failed and dead-letters WORKFLOW_FAILED", async () => {
    const publisher = new RefusingPublisher({ completions: true, deadLetters: false });
    const run = setup(publisher);

    const outcome = await run("rec-refused", 3);

    expect(outcome).toMatchObject({ status: "failed", batches: 1, rowsDeleted: 10 });
    expect(outcome.error).toBe(
      "deleted, but the completion was refused for good: completion refused: Broker: Topic authorization failed",
    );
    expect(publisher.completedCalls).toBe(1);
    expect(publisher.failures).toHaveLength(1);
    expect(publisher.failures[0]).toMatchObject({
      reasonCode: "WORKFLOW_FAILED",
      source: { partition: 0, offset: "3" },
    });
    expect(publisher.failures[0]?.reason).toContain("the completion was refused for good");
  });

  it("when its dead letter is refused too, the workflow rejects (for the dispatcher) instead of retrying", async () => {
    const publisher = new RefusingPublisher({ completions: true, deadLetters: true });
    const run = setup(publisher);

    const error = await run("rec-refused-twice").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("minimal dead letter refused");
    expect(publisher.completedCalls).toBe(1);
    expect(publisher.failures).toHaveLength(1);
  });

  it("PermanentPublishError keeps the publisher's error as its cause", () => {
    const cause = new RefusedError("x");
    expect(new PermanentPublishError("x", { cause }).cause).toBe(cause);
  });
});
