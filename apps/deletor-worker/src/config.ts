import { hostname } from "node:os";
import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  connectTimeoutOption,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
  payloadEncryptionOption,
  payloadKeyOptions,
  promiseIdKeyOptions,
  requestSigningCheck,
  requestSigningOptions,
  resonateSecurityCheck,
  resonateTokenOptions,
} from "@deletion/cli-kit";
import {
  DEAD_LETTER_MAX_ORIGINAL_BYTES,
  DEAD_LETTER_MAX_ORIGINAL_BYTES_LIMIT,
  DEFAULT_CONSUMER_GROUP_ID,
  RecordIdSchema,
  TOPICS,
} from "@deletion/contracts";
import { DEFAULT_PUBLISH_POLICY } from "@deletion/kafka";
import { DEFAULT_FINISHED_KEPT, DEFAULT_TASK_TTL_MS } from "@deletion/resonate-client";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_DELETED_AT_COLUMN,
  DEFAULT_LEDGER_TABLE,
  DEMO_TABLES,
  IdentifierSchema,
  TableListSchema,
} from "@deletion/store-postgres";
import {
  BatchPauseModeSchema,
  DEFAULT_BATCH_PAUSE,
  DEFAULT_PROMISE_PREFIX,
  PromisePrefixSchema,
} from "@deletion/workflows";
import { z } from "zod";
import { bulkOptions } from "./bulk-options.js";
import { FIXED_BATCH_SLEEP_MS, pacingCheck, pacingOptions } from "./pacing-config.js";
import { requestSignatureCheck, requestSignatureOptions } from "./request-signatures.js";
import { statusTokenCheck, statusTokenOptions } from "./status-token.js";

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

/** "id1,id2": record ids, each checked like a request's. */
const recordIdSet = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const ids = new Set<string>();
    for (const id of text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")) {
      if (!RecordIdSchema.safeParse(id).success) {
        ctx.addIssue({ code: "custom", message: `"${id}" is not a record id` });
        return z.NEVER;
      }
      ids.add(id);
    }
    return ids as ReadonlySet<string>;
  });

export const workerCli = {
  name: "deletor-worker",
  summary:
    "Consumes deletion requests and runs one durable Resonate workflow per record id, without waiting for one before starting the next; publishes completions and dead-letters bad input.",
  options: {
    brokers: brokersOption,
    ...kafkaSecurityOptions,
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
    promisePrefix: option({
      flag: "promise-prefix",
      env: "RESONATE_PROMISE_PREFIX",
      description:
        "namespace of this project's promise ids on the Resonate server: <prefix>/<record-id>[/attempt-<n>]; segments of letters, digits and . _ - joined by /",
      schema: PromisePrefixSchema.default(DEFAULT_PROMISE_PREFIX),
    }),
    ...resonateTokenOptions,
    ...payloadEncryptionOption,
    ...payloadKeyOptions,
    ...promiseIdKeyOptions,
    resonateTtlMs: option({
      flag: "resonate-ttl-ms",
      env: "RESONATE_TTL_MS",
      description: `how long a silent worker keeps its tasks before another may take them over; below ${DEFAULT_TASK_TTL_MS} ms a loaded live worker can lose tasks (docs/architecture.md: the heartbeat rule)`,
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
      description:
        "records read but not yet safe to commit; at this bound partitions are held (polling goes on) until half are safe",
      schema: positiveInt.default(500),
    }),
    maxRunning: option({
      flag: "max-running",
      env: "MAX_RUNNING",
      description:
        "workflows this worker started and has not seen finish; at this bound partitions are held until half have finished (with a server, the bound on running work)",
      schema: positiveInt.default(1_000),
    }),
    batchSleepMs: option({
      flag: "batch-sleep-ms",
      env: "BATCH_SLEEP_MS",
      description: `pause between two batches of one record (default: ${FIXED_BATCH_SLEEP_MS} under fixed pacing, 0 under adaptive, which paces the worker's batches together instead)`,
      schema: nonNegativeInt.optional(),
    }),
    batchPause: option({
      flag: "batch-pause",
      env: "BATCH_PAUSE",
      description:
        "how that pause is taken: throttle (the worker waits, holding the record's task; about 2 server requests a batch) or durable (a server timer; the record is suspended meanwhile; about 5 requests a batch)",
      schema: BatchPauseModeSchema.default(DEFAULT_BATCH_PAUSE),
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
    deadLetterMaxBytes: option({
      flag: "dead-letter-max-bytes",
      env: "DEAD_LETTER_MAX_BYTES",
      description: `original key + value bytes a dead letter carries; above it, a prefix with the full lengths and a sha256 (at most ${DEAD_LETTER_MAX_ORIGINAL_BYTES_LIMIT}, so it fits the broker's 1 MiB)`,
      schema: z.coerce
        .number()
        .int()
        .min(0)
        .max(DEAD_LETTER_MAX_ORIGINAL_BYTES_LIMIT)
        .default(DEAD_LETTER_MAX_ORIGINAL_BYTES),
    }),
    publishGiveUpMs: option({
      flag: "publish-give-up-ms",
      env: "PUBLISH_GIVE_UP_MS",
      description:
        "how long a completion or dead letter may keep failing transiently before it counts as refused for good",
      schema: z.coerce.number().int().min(1_000).default(DEFAULT_PUBLISH_POLICY.giveUpAfterMs),
    }),
    commitIntervalMs: option({
      flag: "commit-interval-ms",
      env: "COMMIT_INTERVAL_MS",
      description: "how often safe offsets are committed",
      schema: positiveInt.default(1_000),
    }),
    commitTimeoutMs: option({
      flag: "commit-timeout-ms",
      env: "COMMIT_TIMEOUT_MS",
      description:
        "an offset commit not answered within this long is abandoned and sent again on the next tick",
      schema: positiveInt.default(5_000),
    }),
    connectTimeoutMs: connectTimeoutOption,
    inProcessFinishedKept: option({
      flag: "in-process-finished-kept",
      env: "IN_PROCESS_FINISHED_KEPT",
      description:
        "in-process network only: finished records whose outcome is kept, so a duplicate request is only reported; the oldest beyond this are forgotten",
      schema: positiveInt.default(DEFAULT_FINISHED_KEPT),
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
      description:
        "port of /healthz, /readyz and /metrics (open), and /status/<recordId> (with the status token) (0 = any free port)",
      schema: nonNegativeInt.max(65_535).default(9464),
    }),
    ...statusTokenOptions,
    ...requestSignatureOptions,
    ...requestSigningOptions,
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
    simFailIds: option({
      flag: "sim-fail-ids",
      env: "SIM_FAIL_IDS",
      description:
        "simulated store: id,... records whose first deletion attempt fails for good (dead-lettered as WORKFLOW_FAILED); a retry deletes them",
      schema: recordIdSet,
    }),
    store: option({
      flag: "store",
      env: "RECORD_STORE",
      description:
        "where records are deleted: simulated (made-up rows, the demo's) or postgres (DATABASE_URL)",
      schema: z.enum(["simulated", "postgres"]).default("simulated"),
    }),
    databaseUrl: option({
      flag: "database-url",
      env: "DATABASE_URL",
      description: "postgres store: connection URL, postgres://user:password@host:port/database",
      schema: z.string().min(1).optional(),
    }),
    tables: option({
      flag: "tables",
      env: "DELETE_TABLES",
      description:
        "postgres store: table:column,... holding the record id, children first, the parent (with the soft-delete column) last",
      schema: z.string().default(DEMO_TABLES).pipe(TableListSchema),
    }),
    deleteBatchSize: option({
      flag: "batch-size",
      env: "DELETE_BATCH_SIZE",
      description: "postgres store: rows deleted per batch at most (over all tables)",
      schema: positiveInt.default(DEFAULT_BATCH_SIZE),
    }),
    deletedAtColumn: option({
      flag: "deleted-at-column",
      env: "DELETED_AT_COLUMN",
      description:
        "postgres store: timestamp column on the parent table the soft delete sets ('none': no soft delete)",
      schema: z
        .string()
        .default(DEFAULT_DELETED_AT_COLUMN)
        .transform((text) => (text === "none" ? null : text))
        .pipe(IdentifierSchema.nullable()),
    }),
    ledgerTable: option({
      flag: "ledger-table",
      env: "LEDGER_TABLE",
      description:
        "postgres store: the table (in the parent's schema) recording each batch, so a batch run again after a crash reports its first run and deletes nothing more",
      schema: IdentifierSchema.default(DEFAULT_LEDGER_TABLE),
    }),
    ...bulkOptions,
    ...pacingOptions,
    ...loggingOptions,
  },
  checks: [
    kafkaSecurityCheck,
    resonateSecurityCheck,
    statusTokenCheck,
    requestSignatureCheck,
    requestSigningCheck,
    pacingCheck,
  ],
  epilog: [
    "Example: deletor-worker --brokers localhost:19092 --resonate-url http://localhost:8001",
    "         deletor-worker --store postgres --database-url postgres://app:secret@db:5432/app \\",
    "           --tables order_lines:customer_id,orders:customer_id,customers:id --batch-size 500",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

/** The worker's configuration, as parsed from its flags and environment. */
export type WorkerConfig = ConfigOf<typeof workerCli.options>;
