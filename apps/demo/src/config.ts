import {
  type CliSpec,
  type ConfigCheck,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  option,
  optionName,
} from "@deletion/cli-kit";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** The broker the demo starts itself is plaintext: security settings are for one it is given. */
const securityNeedsBrokers: ConfigCheck<{ brokers?: string | undefined; securityProtocol: string }> = {
  problems: (config) =>
    config.securityProtocol !== "plaintext" && config.brokers === undefined
      ? [
          `${optionName(kafkaSecurityOptions.securityProtocol)} = ${config.securityProtocol} needs --brokers / KAFKA_BROKERS: the broker the demo starts itself is plaintext`,
        ]
      : [],
};

export const demoCli = {
  name: "demo",
  summary:
    "Runs the whole pipeline on this machine: a broker (unless KAFKA_BROKERS is given), the topics, the worker, N deletion requests, and a live view of each record until all are deleted.",
  options: {
    count: option({
      flag: "count",
      short: "n",
      description: "how many records to delete",
      schema: positiveInt.max(10_000).default(25),
    }),
    workers: option({
      flag: "workers",
      description: "worker processes (more than one needs a Resonate server)",
      schema: positiveInt.max(16).default(1),
    }),
    batchSleepMs: option({
      flag: "batch-sleep-ms",
      description: "durable sleep between two batches of a record",
      schema: z.coerce.number().int().nonnegative().default(1_000),
    }),
    partitions: option({
      flag: "partitions",
      description: "partitions of the topics, when the demo creates them",
      schema: positiveInt.max(64).default(3),
    }),
    brokers: option({
      flag: "brokers",
      env: "KAFKA_BROKERS",
      description: "use this broker instead of starting a local one",
      schema: z.string().min(1).optional(),
    }),
    ...kafkaSecurityOptions,
    resonateUrl: option({
      flag: "resonate-url",
      env: "RESONATE_URL",
      description: "Resonate server for the workers; unset = in-process network",
      schema: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    }),
    store: option({
      flag: "store",
      env: "RECORD_STORE",
      description:
        "simulated, or postgres: real rows in demo tables seeded for the run (DATABASE_URL, else a local PostgreSQL)",
      schema: z.enum(["simulated", "postgres"]).default("simulated"),
    }),
    databaseUrl: option({
      flag: "database-url",
      env: "DATABASE_URL",
      description: "with --store postgres: use this database instead of starting one",
      schema: z.string().min(1).optional(),
    }),
    seed: option({
      flag: "seed",
      description: "seed of the simulated store, for a reproducible run",
      schema: z.coerce.number().int().optional(),
    }),
    timeoutMs: option({
      flag: "timeout-ms",
      description: "give up (exit 1) if not every record finished by then",
      schema: positiveInt.default(180_000),
    }),
    console: option({
      flag: "console",
      kind: "boolean",
      description:
        "also serve the deletion console on 127.0.0.1 (a web page to watch and act), print its URL and a login token made for this run, and keep everything running after the run until Ctrl-C",
      schema: z.boolean().default(false),
    }),
    consolePort: option({
      flag: "console-port",
      env: "CONSOLE_PORT",
      description: "--console: the port it listens on (0: any free one, printed)",
      schema: z.coerce.number().int().min(0).max(65_535).default(8090),
    }),
    json: option({
      flag: "json",
      kind: "boolean",
      description: "also print the summary as one JSON line",
      schema: z.boolean().default(false),
    }),
  },
  checks: [kafkaSecurityCheck, securityNeedsBrokers],
  epilog:
    "Examples:\n  pnpm demo\n  pnpm demo -n 50 --batch-sleep-ms 500\n  pnpm demo --store postgres\n  pnpm demo --console\n  RESONATE_URL=http://localhost:8001 KAFKA_BROKERS=localhost:19092 pnpm demo --workers 3",
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;
