import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { KafkaJS, type Producer } from "../src/client.js";
import { KafkaCompletionPublisher, type PublishPolicy } from "../src/completion-publisher.js";
import { type PublishRefusal, PublishRefusedError } from "../src/publish-refusal.js";
import { FakeProducer } from "./fake-producer.js";

const topics = { completions: "done", deadLetters: "dlq" };
const source = { topic: "requests", partition: 0, offset: "3" };
const completion: DeletionCompleted = {
  schemaVersion: 1,
  recordId: "rec-1",
  source,
  completedAt: "2026-11-27T00:00:00.000Z",
  batches: 1,
  rowsDeleted: 10,
  transientErrorsRetried: 0,
  workflowId: "rec-1",
};
const deadLetter: DeadLetter = {
  schemaVersion: 1,
  reasonCode: "WORKFLOW_FAILED",
  reason: "deletion failed",
  source,
  keyBase64: Buffer.from("rec-1").toString("base64"),
  valueBase64: Buffer.from('{"recordId":"rec-1"}').toString("base64"),
  deadLetteredAt: "2026-11-27T00:00:00.000Z",
};
const notAuthorized = () =>
  new KafkaJS.KafkaJSError("Broker: Topic authorization failed", {
    code: KafkaJS.ErrorCodes.ERR_TOPIC_AUTHORIZATION_FAILED,
  });
const timedOut = () =>
  new KafkaJS.KafkaJSError("Local: Message timed out", { code: KafkaJS.ErrorCodes.ERR__MSG_TIMED_OUT });

function publisher(producer: FakeProducer) {
  const refusals: PublishRefusal[] = [];
  const policy: PublishPolicy = {
    initialDelayMs: 1,
    maxDelayMs: 2,
    giveUpAfterMs: 60_000,
    maxOriginalBytes: 1_024,
    onRefused: (r) => refusals.push(r),
  };
  return {
    refusals,
    publisher: new KafkaCompletionPublisher(producer as unknown as Producer, topics, "worker-1", policy),
  };
}

describe("KafkaCompletionPublisher", () => {
  it("retries a transient failure of a completion and publishes it", async () => {
    const producer = new FakeProducer(1);
    let failures = 2;
    producer.refuse = () => (failures-- > 0 ? timedOut() : undefined);
    const { publisher: p, refusals } = publisher(producer);
    await p.publishCompleted(completion);

    expect(producer.written.map((w) => [w.topic, w.key])).toEqual([["done", "rec-1"]]);
    expect(refusals).toEqual([]);
  });

  it("a completion refused for good rejects with a permanent PublishRefusedError and is reported once", async () => {
    const producer = new FakeProducer(1);
    producer.refuse = () => notAuthorized();
    const { publisher: p, refusals } = publisher(producer);

    const error = await p.publishCompleted(completion).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRefusedError);
    expect((error as PublishRefusedError).permanent).toBe(true);
    expect((error as Error).message).toContain("Broker: Topic authorization failed");
    expect(refusals).toEqual([
      {
        topic: "done",
        source,
        kind: "completion",
        error: {
          permanent: true,
          reason: "ERR_TOPIC_AUTHORIZATION_FAILED",
          code: KafkaJS.ErrorCodes.ERR_TOPIC_AUTHORIZATION_FAILED,
          message: "Broker: Topic authorization failed",
        },
      },
    ]);
    expect(producer.calls).toBe(1);
  });

  it("a workflow's dead letter refused whole goes out minimal, reported, without an error", async () => {
    const producer = new FakeProducer(1);
    producer.refuse = (_t, m) => (m.key !== null ? notAuthorized() : undefined);
    const { publisher: p, refusals } = publisher(producer);
    await p.publishFailed(deadLetter);

    expect(refusals.map((r) => [r.topic, r.kind])).toEqual([["dlq", "dead letter"]]);
    expect(producer.written).toHaveLength(1);
  });

  it("a workflow's dead letter refused even minimal rejects with PublishRefusedError naming both", async () => {
    const producer = new FakeProducer(1);
    producer.refuse = () => notAuthorized();
    const { publisher: p, refusals } = publisher(producer);

    const error = await p.publishFailed(deadLetter).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRefusedError);
    expect((error as PublishRefusedError).refusals.map((r) => r.kind)).toEqual([
      "dead letter",
      "minimal dead letter",
    ]);
    expect(refusals).toHaveLength(2);
  });
});
