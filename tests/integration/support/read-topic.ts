import { randomBytes } from "node:crypto";
import { createKafka } from "@deletion/kafka";

export interface TopicMessage {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface ReadTopicOptions {
  /**
   * Read until this many messages arrived and then nothing more for `settleMs` (so extra
   * messages are caught too). Without it: read until nothing arrives for `idleMs`.
   */
  expected?: number;
  /** Like `expected`, for any condition on what has been read so far (e.g. every id seen). */
  until?: (messages: readonly TopicMessage[]) => boolean;
  /** Default 1 s. */
  settleMs?: number;
  /** Default 5 s, counted from when the consumer starts running. */
  idleMs?: number;
  /** Default 60 s. With `expected`, falling short by then is an error. */
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning with a fresh consumer group (nothing committed), so it
 * sees everything whatever else has read the topic.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  { expected, until, settleMs = 1_000, idleMs = 5_000, timeoutMs = 60_000 }: ReadTopicOptions = {},
): Promise<TopicMessage[]> {
  const done =
    until ??
    (expected !== undefined ? (read: readonly TopicMessage[]) => read.length >= expected : undefined);
  const consumer = createKafka({ brokers, clientId: "integration-tests" }).consumer({
    kafkaJS: {
      groupId: `read-topic-${randomBytes(6).toString("hex")}`,
      fromBeginning: true,
      autoCommit: false,
    },
  });
  const messages: TopicMessage[] = [];
  let lastArrival = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          key: message.key === null ? null : message.key.toString("utf8"),
          value: message.value,
          partition,
          offset: message.offset,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        lastArrival = performance.now();
      },
    });
    const started = performance.now();
    lastArrival = started;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = performance.now();
      const quietFor = now - lastArrival;
      if (done ? done(messages) && quietFor >= settleMs : quietFor >= idleMs) {
        break;
      }
      if (now - started >= timeoutMs) {
        if (done) {
          throw new Error(
            `read ${messages.length}${expected !== undefined ? ` of ${expected}` : ""} messages from ${topic} within ${timeoutMs} ms without the expected ones`,
          );
        }
        break;
      }
    }
    return messages;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
