import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  connectTimeoutOption,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
  payloadKeyOptions,
  promiseIdKeyOptions,
  requestSigningCheck,
  requestSigningOptions,
  resonateSecurityCheck,
  resonateTokenOptions,
} from "@deletion/cli-kit";
import {
  BULK_TOPICS,
  DEFAULT_CONSUMER_GROUP_ID,
  DEFAULT_REDRIVE_GROUP_ID,
  TOPICS,
} from "@deletion/contracts";
import { DEFAULT_PROMISE_PREFIX, PromisePrefixSchema } from "@deletion/workflows";
import { z } from "zod";
import { consoleTokenCheck } from "./console-token.js";

const positiveInt = z.coerce.number().int().positive();

/** "http://worker-1:9464,http://worker-2:9464": each an http(s) URL. */
const urlList = z
  .string()
  .default("")
  .transform((text) =>
    text
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/ })));

export const consoleCli = {
  name: "console",
  summary:
    "Serves the deletion console: a web page with live progress (completions, dead letters by reason, consumer-group lag, each worker's health), a record's state, and re-drive of dead letters. One subscription to the topics and one set of probes serve every open page. Needs a token to log in; listens on 127.0.0.1 unless told otherwise.",
  options: {
    host: option({
      flag: "host",
      env: "CONSOLE_HOST",
      description: "address to listen on (0.0.0.0: every interface; only behind TLS and a firewall)",
      schema: z.string().min(1).default("127.0.0.1"),
    }),
    port: option({
      flag: "port",
      env: "CONSOLE_PORT",
      description: "port to listen on (0: any free one, printed at start)",
      schema: z.coerce.number().int().min(0).max(65_535).default(8090),
    }),
    tokenFile: option({
      flag: "token-file",
      env: "CONSOLE_TOKEN_FILE",
      description:
        "file holding the token people log in with (at least 32 characters; openssl rand -hex 32 > file); required",
      schema: z.string().min(1),
    }),
    brokers: brokersOption,
    ...kafkaSecurityOptions,
    ...requestSigningOptions,
    inputTopic: option({
      flag: "input-topic",
      env: "INPUT_TOPIC",
      description: "the workers' request topic (lag is read on it; re-drive publishes to it)",
      schema: z.string().min(1).default(TOPICS.deletionRequests),
    }),
    outputTopic: option({
      flag: "output-topic",
      env: "OUTPUT_TOPIC",
      description: "the completion topic",
      schema: z.string().min(1).default(TOPICS.deletionCompletions),
    }),
    deadLetterTopic: option({
      flag: "dead-letter-topic",
      env: "DEAD_LETTER_TOPIC",
      description: "the dead-letter topic",
      schema: z.string().min(1).default(TOPICS.deadLetters),
    }),
    bulkTopic: option({
      flag: "bulk-topic",
      env: "BULK_TOPIC",
      description: "the bulk deletion request topic (the bulk views are off when it does not exist)",
      schema: z.string().min(1).default(BULK_TOPICS.requests),
    }),
    bulkCompletionTopic: option({
      flag: "bulk-completion-topic",
      env: "BULK_COMPLETION_TOPIC",
      description: "the bulk deletion completion topic",
      schema: z.string().min(1).default(BULK_TOPICS.completions),
    }),
    groupId: option({
      flag: "group-id",
      env: "KAFKA_GROUP_ID",
      description: "the workers' consumer group, whose lag is shown",
      schema: z.string().min(1).default(DEFAULT_CONSUMER_GROUP_ID),
    }),
    redriveGroupId: option({
      flag: "redrive-group-id",
      env: "REDRIVE_GROUP_ID",
      description: "the re-drive command's group: re-driving a reason goes on from its position",
      schema: z.string().min(1).default(DEFAULT_REDRIVE_GROUP_ID),
    }),
    workerUrls: option({
      flag: "worker-urls",
      env: "CONSOLE_WORKER_URLS",
      description: "the workers' HTTP servers, comma-separated (their /readyz and /metrics are read)",
      schema: urlList,
    }),
    resonateUrl: option({
      flag: "resonate-url",
      env: "RESONATE_URL",
      description: "the Resonate server the workers use (a record's state is read there)",
      schema: z.url().default("http://localhost:8001"),
    }),
    promisePrefix: option({
      flag: "promise-prefix",
      env: "RESONATE_PROMISE_PREFIX",
      description: "namespace of the workers' promise ids",
      schema: PromisePrefixSchema.default(DEFAULT_PROMISE_PREFIX),
    }),
    ...resonateTokenOptions,
    ...payloadKeyOptions,
    ...promiseIdKeyOptions,
    pollIntervalMs: option({
      flag: "poll-interval-ms",
      env: "CONSOLE_POLL_INTERVAL_MS",
      description: "how often the lag, the workers and the Resonate server are read",
      schema: positiveInt.default(2_000),
    }),
    sessionHours: option({
      flag: "session-hours",
      env: "CONSOLE_SESSION_HOURS",
      description: "how long a login lasts",
      schema: positiveInt.max(24 * 30).default(12),
    }),
    redriveTimeoutMs: option({
      flag: "redrive-timeout-ms",
      env: "REDRIVE_TIMEOUT_MS",
      description: "bound on one re-drive of a reason (what was done by then is kept)",
      schema: positiveInt.default(60_000),
    }),
    connectTimeoutMs: connectTimeoutOption,
    ...loggingOptions,
  },
  checks: [kafkaSecurityCheck, resonateSecurityCheck, requestSigningCheck, consoleTokenCheck],
  epilog: [
    "Example:",
    "  openssl rand -hex 32 > console.token",
    "  console --token-file console.token --worker-urls http://localhost:9464",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type ConsoleConfig = ConfigOf<typeof consoleCli.options>;
