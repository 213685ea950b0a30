import { brokersOption, type CliSpec, type ConfigOf, loggingOptions, option } from "@deletion/cli-kit";
import { TOPICS } from "@deletion/contracts";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();
/** Kafka's own rule for topic names. */
const topicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[A-Za-z0-9._-]+$/, { error: "may contain only letters, digits and . _ -" });

export const topicSetupCli = {
  name: "topic-setup",
  summary:
    "Creates the deletion request, completion and dead-letter topics if they are missing. Safe to run again: existing topics are reported, never changed.",
  options: {
    brokers: brokersOption,
    partitions: option({
      flag: "partitions",
      env: "TOPIC_PARTITIONS",
      description: "partitions of each new topic (the most worker replicas that can share the input)",
      schema: positiveInt.default(3),
    }),
    replicationFactor: option({
      flag: "replication-factor",
      env: "TOPIC_REPLICATION_FACTOR",
      description: "replicas of each partition of a new topic (at most the number of brokers)",
      schema: positiveInt.max(32_767).default(1),
    }),
    timeoutMs: option({
      flag: "timeout-ms",
      env: "TOPIC_SETUP_TIMEOUT_MS",
      description: "give up when the brokers do not answer within this long",
      schema: positiveInt.default(30_000),
    }),
    inputTopic: option({
      flag: "input-topic",
      env: "INPUT_TOPIC",
      description: "topic of deletion requests",
      schema: topicName.default(TOPICS.deletionRequests),
    }),
    outputTopic: option({
      flag: "output-topic",
      env: "OUTPUT_TOPIC",
      description: "topic of completions",
      schema: topicName.default(TOPICS.deletionCompletions),
    }),
    deadLetterTopic: option({
      flag: "dead-letter-topic",
      env: "DEAD_LETTER_TOPIC",
      description: "topic for messages that cannot be processed",
      schema: topicName.default(TOPICS.deadLetters),
    }),
    ...loggingOptions,
  },
  epilog: "Example: topic-setup --brokers localhost:19092 --partitions 6",
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type TopicSetupConfig = ConfigOf<typeof topicSetupCli.options>;
