import { createHash } from "node:crypto";
import { type DeadLetter, DeadLetterSchema, decodeMessage, MESSAGE_HEADERS } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import type { Producer } from "../src/client.js";
import { KafkaJS } from "../src/client.js";
import { publishDeadLetter } from "../src/completion-publisher.js";
import { deadLetterFor } from "../src/dead-letter.js";
import { deliverDeadLetter } from "../src/dead-letter-delivery.js";
import { FakeClock } from "./fake-clock.js";
import { FakeProducer } from "./fake-producer.js";

const TOPIC = "requests.dlq";
const tooLarge = () =>
  new KafkaJS.KafkaJSError("Broker: Message size too large", {
    code: KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  });
const notAuthorized = () =>
  new KafkaJS.KafkaJSError("Broker: Topic authorization failed", {
    code: KafkaJS.ErrorCodes.ERR_TOPIC_AUTHORIZATION_FAILED,
  });
const timedOut = () =>
  new KafkaJS.KafkaJSError("Local: Message timed out", { code: KafkaJS.ErrorCodes.ERR__MSG_TIMED_OUT });

const value = Buffer.alloc(5_000, "v");
const letter = deadLetterFor(
  { topic: "requests", partition: 1, offset: "12", key: Buffer.from("k1"), value },
  { code: "INVALID_JSON", reason: "not JSON" },
);

function deliver(producer: FakeProducer, deadLetter: DeadLetter = letter, clock = new FakeClock()) {
  return deliverDeadLetter((d) => publishDeadLetter(producer as unknown as Producer, TOPIC, d), deadLetter, {
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    giveUpAfterMs: 60_000,
    maxOriginalBytes: 1_024,
    clock,
  });
}

const written = (producer: FakeProducer) =>
  producer.written.map((w) => {
    const decoded = decodeMessage(DeadLetterSchema, w.value);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    return { topic: w.topic, key: w.key, letter: decoded.value };
  });

describe("deliverDeadLetter", () => {
  it("publishes the dead letter, bounded to the size policy, keyed like the original", async () => {
    const producer = new FakeProducer(1);
    const delivery = await deliver(producer);

    expect(delivery.status).toBe("published");
    const [only, ...rest] = written(producer);
    expect(rest).toEqual([]);
    expect(only?.topic).toBe(TOPIC);
    expect(only?.key).toBe("k1");
    expect(only?.letter).toMatchObject({ truncated: true, valueLength: 5_000, keyLength: 2 });
    expect(Buffer.from(only?.letter.valueBase64 ?? "", "base64").byteLength).toBe(1_022);
  });

  it("a refusal for good of the dead letter: the minimal one goes out instead, without key or value", async () => {
    const producer = new FakeProducer(1);
    // The broker takes nothing over 600 bytes: the dead letter is larger, the minimal one is not.
    producer.refuse = (_topic, message) => (message.value.byteLength > 600 ? tooLarge() : undefined);
    const delivery = await deliver(producer);

    expect(delivery).toMatchObject({
      status: "published-minimal",
      refused: {
        permanent: true,
        reason: "ERR_MSG_SIZE_TOO_LARGE",
        message: "Broker: Message size too large",
      },
    });
    expect(producer.calls).toBe(2);
    const [minimal, ...rest] = written(producer);
    expect(rest).toEqual([]);
    expect(minimal?.key).toBe("null");
    expect(minimal?.letter).toEqual({
      schemaVersion: 1,
      reasonCode: "INVALID_JSON",
      reason: "not JSON",
      source: { topic: "requests", partition: 1, offset: "12" },
      keyBase64: null,
      valueBase64: null,
      deadLetteredAt: letter.deadLetteredAt,
      truncated: true,
      keyLength: 2,
      valueLength: 5_000,
      valueSha256: createHash("sha256").update(value).digest("hex"),
      minimal: { reason: "ERR_MSG_SIZE_TOO_LARGE", brokerError: "Broker: Message size too large" },
    });
  });

  it("both refused for good: undeliverable, each refusal reported, nothing retried", async () => {
    const producer = new FakeProducer(1);
    producer.refuse = () => notAuthorized();
    const clock = new FakeClock();
    const delivery = await deliver(producer, letter, clock);

    expect(delivery).toMatchObject({
      status: "undeliverable",
      refused: { reason: "ERR_TOPIC_AUTHORIZATION_FAILED" },
      minimalRefused: {
        reason: "ERR_TOPIC_AUTHORIZATION_FAILED",
        message: "Broker: Topic authorization failed",
      },
    });
    expect(producer.calls).toBe(2);
    expect(producer.written).toEqual([]);
    expect(clock.slept).toEqual([]);
  });

  it("retries a transient failure of the dead letter itself, then publishes it whole", async () => {
    const producer = new FakeProducer(1);
    let failures = 3;
    producer.refuse = () => (failures-- > 0 ? timedOut() : undefined);
    const delivery = await deliver(producer);

    expect(delivery.status).toBe("published");
    expect(producer.calls).toBe(4);
    expect(written(producer)[0]?.letter.minimal).toBeUndefined();
  });

  it("sets the reason header on the minimal dead letter too", async () => {
    const producer = new FakeProducer(1);
    producer.refuse = (_t, m) => (m.key !== null ? tooLarge() : undefined);
    const sent: Parameters<Producer["send"]>[0][] = [];
    const spy = {
      send: (args: Parameters<Producer["send"]>[0]) => {
        sent.push(args);
        return producer.send(args);
      },
    };
    await deliverDeadLetter((d) => publishDeadLetter(spy as unknown as Producer, TOPIC, d), letter, {
      initialDelayMs: 1,
      maxDelayMs: 1,
      giveUpAfterMs: 1_000,
      maxOriginalBytes: 1_024,
    });
    expect(sent.at(-1)?.messages[0]?.headers).toEqual({ [MESSAGE_HEADERS.deadLetterReason]: "INVALID_JSON" });
  });
});
