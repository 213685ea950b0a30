import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
} from "@deletion/cli-kit";
import { BULK_TOPICS, TOPICS } from "@deletion/contracts";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();
/** Kafka's own rule for topic names. */
const topicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[A-Za-z0-9._-]+$/, { error: "may contain only letters, digits and . _ -" });

const DAY_MS = 86_400_000;

/**
 * Every message names a record someone asked to have deleted, so no topic keeps it for ever:
 * requests and completions a week (long enough to replay a worker's backlog or a consumer's
 * missed completions), dead letters 30 days (long enough to look into them and re-drive).
 */
export const DEFAULT_RETENTION_MS = {
  requests: 7 * DAY_MS,
  completions: 7 * DAY_MS,
  deadLetters: 30 * DAY_MS,
};

export const topicSetupCli = {
  name: "topic-setup",
  summary:
    "Creates the deletion request, completion and dead-letter topics if they are missing. Safe to run again: existing topics are reported, never changed.",
  options: {
    brokers: brokersOption,
    ...kafkaSecurityOptions,
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
    bulkTopic: option({
      flag: "bulk-topic",
      env: "BULK_TOPIC",
      description: "topic of bulk deletion requests",
      schema: topicName.default(BULK_TOPICS.requests),
    }),
    bulkCompletionTopic: option({
      flag: "bulk-completion-topic",
      env: "BULK_COMPLETION_TOPIC",
      description: "topic of bulk deletion completions (one per bulk)",
      schema: topicName.default(BULK_TOPICS.completions),
    }),
    requestsRetentionMs: option({
      flag: "requests-retention-ms",
      env: "REQUESTS_RETENTION_MS",
      description: "how long a new input topic keeps a deletion request (retention.ms)",
      schema: positiveInt.default(DEFAULT_RETENTION_MS.requests),
    }),
    completionsRetentionMs: option({
      flag: "completions-retention-ms",
      env: "COMPLETIONS_RETENTION_MS",
      description: "how long a new completion topic keeps a completion (retention.ms)",
      schema: positiveInt.default(DEFAULT_RETENTION_MS.completions),
    }),
    deadLettersRetentionMs: option({
      flag: "dead-letters-retention-ms",
      env: "DEAD_LETTERS_RETENTION_MS",
      description: "how long a new dead-letter topic keeps a dead letter (retention.ms)",
      schema: positiveInt.default(DEFAULT_RETENTION_MS.deadLetters),
    }),
    ...loggingOptions,
  },
  checks: [kafkaSecurityCheck],
  epilog: "Example: topic-setup --brokers localhost:19092 --partitions 6",
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type TopicSetupConfig = ConfigOf<typeof topicSetupCli.options>;
