import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  connectTimeoutOption,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
  requestSigningCheck,
  requestSigningOptions,
} from "@deletion/cli-kit";
import { RECORD_ID_PATTERN, TOPICS } from "@deletion/contracts";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const producerCli = {
  name: "producer",
  summary:
    "Produces N deletion requests (DeletionRequested v1) with unique record ids, keyed by record id, through an idempotent producer.",
  options: {
    count: option({
      flag: "count",
      short: "n",
      env: "COUNT",
      description: "how many deletion requests to produce",
      schema: positiveInt.max(100_000_000).default(25),
    }),
    brokers: brokersOption,
    ...kafkaSecurityOptions,
    ...requestSigningOptions,
    topic: option({
      flag: "topic",
      env: "INPUT_TOPIC",
      description: "topic the requests are written to",
      schema: z.string().min(1).default(TOPICS.deletionRequests),
    }),
    rate: option({
      flag: "rate",
      env: "PRODUCE_RATE",
      description: "messages per second; 0 = as fast as the broker takes them",
      schema: z.coerce.number().min(0).default(0),
    }),
    idPrefix: option({
      flag: "id-prefix",
      env: "ID_PREFIX",
      description: "record ids are <prefix>-000001...; default: a random run id, so runs never share ids",
      schema: z
        .string()
        .max(100)
        .regex(RECORD_ID_PATTERN, {
          error: "may contain only letters, digits and . _ - and must start with a letter or digit",
        })
        .optional(),
    }),
    verbose: option({
      flag: "verbose",
      short: "v",
      kind: "boolean",
      description: "log every record's id, partition and offset",
      schema: z.boolean().default(false),
    }),
    connectTimeoutMs: connectTimeoutOption,
    deliveryTimeoutMs: option({
      flag: "delivery-timeout-ms",
      env: "DELIVERY_TIMEOUT_MS",
      description: "give up on a message not acknowledged within this long, retries included",
      schema: positiveInt.default(30_000),
    }),
    chunkSize: option({
      flag: "chunk-size",
      env: "PRODUCE_CHUNK_SIZE",
      description: "records handed to the client at a time (throughput tuning)",
      schema: positiveInt.max(100_000).default(1_000),
    }),
    ...loggingOptions,
  },
  checks: [kafkaSecurityCheck, requestSigningCheck],
  epilog: "Example: producer -n 1000 --rate 200 --brokers localhost:19092",
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type ProducerConfig = ConfigOf<typeof producerCli.options>;
