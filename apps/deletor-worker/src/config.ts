import { hostname } from "node:os";
import { brokersOption, type CliSpec, loggingOptions, option } from "@deletion/cli-kit";
import { DEFAULT_CONSUMER_GROUP_ID, RecordIdSchema, TOPICS } from "@deletion/contracts";
import { DEFAULT_TASK_TTL_MS } from "@deletion/workflows";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const rate = z.coerce.number().min(0).max(1);

/** "id=3,other=10": records the simulated store deletes in exactly that many batches. */
const fixedBatches = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const map = new Map<string, number>();
    for (const pair of text.split(",").filter((p) => p.trim() !== "")) {
      const [id, count] = pair.split("=").map((s) => s.trim());
      const n = Number(count);
      if (!RecordIdSchema.safeParse(id).success || !Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: "custom", message: `"${pair}" is not <record-id>=<batches ≥ 1>` });
        return z.NEVER;
      }
      map.set(id as string, n);
    }
    return map;
  });

export const workerCli = {
  name: "deletor-worker",
  summary:
    "Consumes deletion requests and runs one durable Resonate workflow per record id, without waiting for one before starting the next; publishes completions and dead-letters bad input.",
  options: {
    brokers: brokersOption,
    groupId: option({
      flag: "group-id",
      env: "KAFKA_GROUP_ID",
      description: "consumer group shared by all worker replicas",
      schema: z.string().min(1).default(DEFAULT_CONSUMER_GROUP_ID),
    }),
    inputTopic: option({
      flag: "input-topic",
      env: "INPUT_TOPIC",
      description: "topic of deletion requests",
      schema: z.string().min(1).default(TOPICS.deletionRequests),
    }),
    outputTopic: option({
      flag: "output-topic",
      env: "OUTPUT_TOPIC",
      description: "topic completions are published to",
      schema: z.string().min(1).default(TOPICS.deletionCompletions),
    }),
    deadLetterTopic: option({
      flag: "dead-letter-topic",
      env: "DEAD_LETTER_TOPIC",
      description: "topic for messages that cannot be processed",
      schema: z.string().min(1).default(TOPICS.deadLetters),
    }),
    resonateUrl: option({
      flag: "resonate-url",
      env: "RESONATE_URL",
      description: "Resonate server URL; empty = the in-process network (promises die with the process)",
      schema: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    }),
    resonateGroup: option({
      flag: "resonate-group",
      env: "RESONATE_GROUP",
      description: "Resonate worker group: any member may resume another's workflows",
      schema: z.string().min(1).default("deletor-workers"),
    }),
    resonatePid: option({
      flag: "resonate-pid",
      env: "RESONATE_PID",
      description: "this worker's Resonate process id (unique per replica)",
      schema: z.string().min(1).default(`${hostname()}-${process.pid}`),
    }),
    resonateTtlMs: option({
      flag: "resonate-ttl-ms",
      env: "RESONATE_TTL_MS",
      description: `how long a silent worker keeps its tasks before another may take them over; below ${DEFAULT_TASK_TTL_MS} ms a loaded live worker can lose tasks (README: the heartbeat rule)`,
      schema: positiveInt.default(DEFAULT_TASK_TTL_MS),
    }),
    sessionTimeoutMs: option({
      flag: "session-timeout-ms",
      env: "KAFKA_SESSION_TIMEOUT_MS",
      description: "how soon the group notices a dead worker and hands its partitions to the others",
      schema: z.coerce.number().int().min(6_000).max(300_000).default(45_000),
    }),
    maxInFlight: option({
      flag: "max-in-flight",
      env: "MAX_IN_FLIGHT",
      description: "records read but not yet safe to commit; at this bound reading waits",
      schema: positiveInt.default(500),
    }),
    batchSleepMs: option({
      flag: "batch-sleep-ms",
      env: "BATCH_SLEEP_MS",
      description: "durable sleep between two batches of one record",
      schema: nonNegativeInt.default(5_000),
    }),
    retryInitialDelayMs: option({
      flag: "retry-initial-delay-ms",
      env: "RETRY_INITIAL_DELAY_MS",
      description: "first delay before retrying a failed batch (doubles each time)",
      schema: positiveInt.default(500),
    }),
    retryMaxRetries: option({
      flag: "retry-max-retries",
      env: "RETRY_MAX_RETRIES",
      description: "retries of one batch before the record is dead-lettered",
      schema: nonNegativeInt.default(20),
    }),
    commitIntervalMs: option({
      flag: "commit-interval-ms",
      env: "COMMIT_INTERVAL_MS",
      description: "how often safe offsets are committed",
      schema: positiveInt.default(1_000),
    }),
    shutdownTimeoutMs: option({
      flag: "shutdown-timeout-ms",
      env: "SHUTDOWN_TIMEOUT_MS",
      description: "graceful shutdown bound; after it the process exits anyway",
      schema: positiveInt.default(15_000),
    }),
    httpPort: option({
      flag: "http-port",
      env: "HTTP_PORT",
      description: "port of /healthz, /readyz and /metrics (0 = any free port)",
      schema: nonNegativeInt.max(65_535).default(9464),
    }),
    simErrorRate: option({
      flag: "sim-error-rate",
      env: "SIM_TRANSIENT_ERROR_RATE",
      description: "simulated store: chance a batch fails transiently",
      schema: rate.default(0.25),
    }),
    simFinishRate: option({
      flag: "sim-finish-rate",
      env: "SIM_FINISH_RATE",
      description: "simulated store: chance a successful batch was the last",
      schema: rate.default(0.25),
    }),
    simSeed: option({
      flag: "sim-seed",
      env: "SIM_SEED",
      description: "simulated store: seed for reproducible outcomes (unset = random)",
      schema: z.coerce.number().int().optional(),
    }),
    simFixedBatches: option({
      flag: "sim-fixed-batches",
      env: "SIM_FIXED_BATCHES",
      description: "simulated store: id=n,... records that take exactly n batches",
      schema: fixedBatches,
    }),
    ...loggingOptions,
  },
  epilog: "Example: deletor-worker --brokers localhost:19092 --resonate-url http://localhost:8001",
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;
