import { randomBytes } from "node:crypto";
import { type Kafka, withTimeout } from "@deletion/kafka";
import type { Logger } from "pino";
import type { ConsoleState } from "./console-state.js";

export interface TopicFeedOptions {
  completionTopic: string;
  deadLetterTopic: string;
  /** Prefix of the feed's own consumer group (a fresh one per start: it commits nothing). */
  groupPrefix: string;
  connectTimeoutMs: number;
  logger: Logger;
}

/**
 * The one subscription every page shares: reads the completion and dead-letter topics from their
 * start into the state. Its group is its own and commits nothing, so it never moves the workers'
 * or re-drive's positions.
 */
export async function startTopicFeed(
  kafka: Kafka,
  state: ConsoleState,
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
  await consumer.subscribe({ topics: [options.completionTopic, options.deadLetterTopic] });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (topic === options.completionTopic) state.addCompletion(message.value);
      else if (topic === options.deadLetterTopic)
        state.addDeadLetter(message.value, { partition, offset: message.offset });
    },
  });
  state.setTopics({ ok: true });
  options.logger.info(
    { completionTopic: options.completionTopic, deadLetterTopic: options.deadLetterTopic },
    "following the completion and dead-letter topics",
  );
  return {
    async stop() {
      await withTimeout("disconnecting the topic feed", 10_000, consumer.disconnect()).catch(() => {});
    },
  };
}
