import { randomBytes } from "node:crypto";
import { type Kafka, withTimeout } from "@deletion/kafka";
import type { Logger } from "pino";

/** What to do with each message of one topic. */
export type TopicHandler = (value: Buffer | null, where: { partition: number; offset: string }) => void;

export interface TopicFeedOptions {
  /** Topic -> its handler; every topic is read from its start. */
  handlers: ReadonlyMap<string, TopicHandler>;
  /** Prefix of the feed's own consumer group (a fresh one per start: it commits nothing). */
  groupPrefix: string;
  connectTimeoutMs: number;
  logger: Logger;
}

/**
 * The one subscription every page shares: reads the completion, dead-letter (and bulk) topics
 * from their start into the state. Its group is its own and commits nothing, so it never moves the workers'
 * or re-drive's positions.
 */
export async function startTopicFeed(
  kafka: Kafka,
  options: TopicFeedOptions,
): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: `${options.groupPrefix}.${randomBytes(4).toString("hex")}`,
      fromBeginning: true,
      autoCommit: false,
    },
  });
  await withTimeout("connecting the topic feed", options.connectTimeoutMs, consumer.connect());
  const topics = [...options.handlers.keys()];
  await consumer.subscribe({ topics });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      options.handlers.get(topic)?.(message.value, { partition, offset: message.offset });
    },
  });
  options.logger.info({ topics }, `following ${topics.join(", ")}`);
  return {
    async stop() {
      await withTimeout("disconnecting the topic feed", 10_000, consumer.disconnect()).catch(() => {});
    },
  };
}
