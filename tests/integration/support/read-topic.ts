import { randomBytes } from "node:crypto";
import { createKafka } from "@deletion/kafka";
import { withAdmin } from "./with-admin.js";

export interface TopicMessage {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface ReadTopicOptions {
  /**
   * Read until this many messages arrived, then on to the end of every partition as it is at
   * that moment (so extra messages already written are caught too). Without it, or `until`:
   * read to the end of every partition as it is when the read starts.
   */
  expected?: number;
  /** Like `expected`, for any condition on what has been read so far (e.g. every id seen). */
  until?: (messages: readonly TopicMessage[]) => boolean;
  /** Default 60 s. With `expected` or `until`, falling short by then is an error. */
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning with a fresh consumer group (nothing committed), so it
 * sees everything whatever else has read the topic. It stops on what the broker says the topic
 * holds (its end offsets), never after a quiet period.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  { expected, until, timeoutMs = 60_000 }: ReadTopicOptions = {},
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
  /** The next offset to read, per partition. */
  const position = new Map<number, bigint>();
  let changed: () => void = () => {};
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
        position.set(partition, BigInt(message.offset) + 1n);
        changed();
      },
    });
    const deadline = performance.now() + timeoutMs;
    /** Resolves true once `condition` holds, false at the deadline. */
    const reached = async (condition: () => boolean): Promise<boolean> => {
      while (!condition()) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1_000));
          changed = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return true;
    };
    if (done && !(await reached(() => done(messages)))) {
      throw new Error(
        `read ${messages.length}${expected !== undefined ? ` of ${expected}` : ""} messages from ${topic} within ${timeoutMs} ms without the expected ones`,
      );
    }
    const ends = await endOffsets(brokers, topic);
    const atEnd = () => [...ends].every(([partition, end]) => (position.get(partition) ?? 0n) >= end);
    if (!(await reached(atEnd))) {
      throw new Error(
        `read ${messages.length} messages from ${topic} without reaching its end within ${timeoutMs} ms`,
      );
    }
    return messages;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

/** Each partition's end offset (the offset the next message written will get). */
async function endOffsets(brokers: string, topic: string): Promise<Map<number, bigint>> {
  return withAdmin(brokers, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  });
}
