import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import type { CompletionPublisher } from "@deletion/workflows";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PublishGate } from "../src/publish-gate.js";
import { capturingLogger } from "./worker-fakes.js";

const completion = (recordId: string): DeletionCompleted =>
  ({ recordId, source: { topic: "t", partition: 0, offset: "3" } }) as DeletionCompleted;

/** A publisher whose sends finish when the test says so. */
function slowPublisher() {
  const sent: string[] = [];
  const pending: (() => void)[] = [];
  const publisher: CompletionPublisher = {
    publishCompleted: (c) =>
      new Promise<void>((resolve) => {
        pending.push(() => {
          sent.push(c.recordId);
          resolve();
        });
      }),
    publishFailed: async (d: DeadLetter) => {
      sent.push(`dlq@${d.source.offset}`);
    },
  };
  const finishAll = () => {
    for (const finish of pending.splice(0)) finish();
  };
  return { publisher, sent, finishAll };
}

describe("PublishGate", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes publishes through until closed", async () => {
    const { publisher, sent, finishAll } = slowPublisher();
    const gate = new PublishGate(publisher, capturingLogger().logger);
    const done = gate.publishCompleted(completion("a"));
    finishAll();
    await done;
    expect(sent).toEqual(["a"]);
  });

  it("close waits for the publishes under way before it resolves", async () => {
    const { publisher, sent, finishAll } = slowPublisher();
    const gate = new PublishGate(publisher, capturingLogger().logger);
    const underway = gate.publishCompleted(completion("a"));
    let closed = false;
    const closing = gate.close(10_000).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(9_999); // just short of its timeout
    expect(closed).toBe(false);
    finishAll();
    await closing;
    await underway;
    expect(sent).toEqual(["a"]);
  });

  it("after close, a publish is held: never sent, never failed, and said so", async () => {
    const { publisher, sent, finishAll } = slowPublisher();
    const { logger, lines } = capturingLogger();
    const gate = new PublishGate(publisher, logger);
    await gate.close(10); // nothing under way: closes at once
    let outcome = "pending";
    gate.publishCompleted(completion("late")).then(
      () => {
        outcome = "published";
      },
      () => {
        outcome = "failed";
      },
    );
    finishAll(); // would send it, had it reached the publisher
    await vi.advanceTimersByTimeAsync(60_000);
    expect(outcome).toBe("pending");
    expect(sent).toEqual([]);
    expect(lines.find((l) => l.event === LOG_EVENTS.publishHeld)).toMatchObject({
      kind: "completion",
      recordId: "late",
      partition: 0,
      offset: "3",
    });
  });

  it("close gives up waiting after its timeout", async () => {
    const { publisher } = slowPublisher();
    const gate = new PublishGate(publisher, capturingLogger().logger);
    void gate.publishCompleted(completion("stuck"));
    let closed = false;
    const closing = gate.close(10_000).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing; // resolves although the publish never finishes
    expect(closed).toBe(true);
    expect(gate.inFlight).toBe(1);
  });
});
