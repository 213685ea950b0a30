import { type ConfigCheck, type ConfigOf, option, optionName } from "@deletion/cli-kit";
import {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONCURRENT_BATCHES,
  DEFAULT_MAX_REPLICA_LAG_MS,
  DEFAULT_MIN_BATCH_SIZE,
  DEFAULT_SIGNAL_INTERVAL_MS,
  DEFAULT_TARGET_BATCH_MS,
  type PacingMode,
  PacingModeSchema,
} from "@deletion/pacing";
import { DEFAULT_CONTROL_TABLE, IdentifierSchema } from "@deletion/store-postgres";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** Today's pause between a record's batches, kept by fixed pacing (adaptive paces worker-wide instead). */
export const FIXED_BATCH_SLEEP_MS = 5_000;
/** The store's connection pool: a batch holds one connection, so fixed pacing's cap is this many. */
export const POOL_SIZE = 10;

export const pacingOptions = {
  pacing: option({
    flag: "pacing",
    env: "PACING",
    description:
      "adaptive (batch size follows --target-batch-ms, starts wait for replica lag, autovacuum, lock push-back and the brake; the postgres store's default) or fixed (--batch-size every batch, the pause between a record's batches; the simulated store's default)",
    schema: PacingModeSchema.optional(),
  }),
  targetBatchMs: option({
    flag: "target-batch-ms",
    env: "TARGET_BATCH_MS",
    description:
      "adaptive: the batch time aimed at; the size grows 10 % under 90 % of it and shrinks 20 % above it",
    schema: positiveInt.default(DEFAULT_TARGET_BATCH_MS),
  }),
  minBatchSize: option({
    flag: "min-batch-size",
    env: "MIN_BATCH_SIZE",
    description: `adaptive: the smallest batch (rows); default ${DEFAULT_MIN_BATCH_SIZE}, or --batch-size when that is smaller`,
    schema: positiveInt.optional(),
  }),
  maxBatchSize: option({
    flag: "max-batch-size",
    env: "MAX_BATCH_SIZE",
    description: `adaptive: the largest batch (rows); default ${DEFAULT_MAX_BATCH_SIZE}, or --batch-size when that is larger; batches start at --batch-size and the target batch time keeps them short`,
    schema: positiveInt.optional(),
  }),
  maxConcurrentBatches: option({
    flag: "max-concurrent-batches",
    env: "MAX_CONCURRENT_BATCHES",
    description: `batches this worker runs at once, whatever the number of running workflows (the others wait their turn); default ${DEFAULT_MAX_CONCURRENT_BATCHES} under adaptive pacing, the store's pool size (${POOL_SIZE}) under fixed`,
    schema: positiveInt.optional(),
  }),
  replicaLag: option({
    flag: "replica-lag",
    env: "REPLICA_LAG",
    description:
      "adaptive: where replay lag is read: primary (pg_stat_replication; needs pg_monitor), replica (--replica-url) or off",
    schema: z.enum(["primary", "replica", "off"]).default("primary"),
  }),
  replicaUrl: option({
    flag: "replica-url",
    env: "REPLICA_DATABASE_URL",
    description: "--replica-lag replica: a standby's connection URL",
    secret: true,
    schema: z.string().min(1).optional(),
  }),
  maxReplicaLagMs: option({
    flag: "max-replica-lag-ms",
    env: "MAX_REPLICA_LAG_MS",
    description: "adaptive: replay lag above which every batch waits until it falls back under it",
    schema: positiveInt.default(DEFAULT_MAX_REPLICA_LAG_MS),
  }),
  autovacuumSignal: option({
    flag: "autovacuum-signal",
    env: "AUTOVACUUM_SIGNAL",
    description:
      "adaptive: on: batch starts are spaced by --target-batch-ms while a vacuum works on a target table",
    schema: z.enum(["on", "off"]).default("on"),
  }),
  maxLockWaits: option({
    flag: "max-lock-waits",
    env: "MAX_LOCK_WAITS",
    description:
      "adaptive: sessions waiting for locks on the target tables above which batch starts are spaced (unset: not read)",
    schema: z.coerce.number().int().nonnegative().optional(),
  }),
  pacingSignalIntervalMs: option({
    flag: "pacing-signal-interval-ms",
    env: "PACING_SIGNAL_INTERVAL_MS",
    description: "how often the signals and the brake are read",
    schema: positiveInt.default(DEFAULT_SIGNAL_INTERVAL_MS),
  }),
  controlTable: option({
    flag: "control-table",
    env: "PACING_CONTROL_TABLE",
    description:
      "postgres store: the brake's one-row table (in the parent's schema; created when missing); paused = true holds every worker's batches ('none': no brake)",
    schema: z
      .string()
      .default(DEFAULT_CONTROL_TABLE)
      .transform((text) => (text === "none" ? null : text))
      .pipe(IdentifierSchema.nullable()),
  }),
};

/** What the pacing rules read: its own options and the store's. */
export type PacingConfig = ConfigOf<typeof pacingOptions> & {
  store: "simulated" | "postgres";
  batchSleepMs: number | undefined;
  deleteBatchSize: number;
};

/** adaptive for the postgres store, fixed for the simulated one, unless --pacing says otherwise. */
export const pacingModeOf = (config: Pick<PacingConfig, "store" | "pacing">): PacingMode =>
  config.pacing ?? (config.store === "postgres" ? "adaptive" : "fixed");

/** The pause between a record's batches: as given, else none under adaptive pacing and 5 s under fixed. */
export const batchSleepMsOf = (config: Pick<PacingConfig, "store" | "pacing" | "batchSleepMs">): number =>
  config.batchSleepMs ?? (pacingModeOf(config) === "adaptive" ? 0 : FIXED_BATCH_SLEEP_MS);

/** The cap on concurrent batches: as given, else one under adaptive pacing and the pool size under fixed. */
export const maxConcurrentBatchesOf = (
  config: Pick<PacingConfig, "store" | "pacing" | "maxConcurrentBatches">,
): number =>
  config.maxConcurrentBatches ??
  (pacingModeOf(config) === "adaptive" ? DEFAULT_MAX_CONCURRENT_BATCHES : POOL_SIZE);

/** Where adaptive batches start and the bounds they move in. */
export function batchSizesOf(
  config: Pick<PacingConfig, "deleteBatchSize" | "minBatchSize" | "maxBatchSize">,
) {
  const initial = config.deleteBatchSize;
  const max = config.maxBatchSize ?? Math.max(initial, DEFAULT_MAX_BATCH_SIZE);
  const min = config.minBatchSize ?? Math.min(DEFAULT_MIN_BATCH_SIZE, initial, max);
  return { min, max, initial };
}

export const pacingCheck: ConfigCheck<PacingConfig> = {
  problems(config) {
    const o = pacingOptions;
    const problems: string[] = [];
    const { min, max, initial } = batchSizesOf(config);
    if (min > max)
      problems.push(`${optionName(o.minBatchSize)} (${min}) is above ${optionName(o.maxBatchSize)} (${max})`);
    else if (pacingModeOf(config) === "adaptive" && (initial < min || initial > max))
      problems.push(
        `--batch-size / DELETE_BATCH_SIZE (${initial}) is where adaptive pacing starts: it must lie within ${optionName(o.minBatchSize)} and ${optionName(o.maxBatchSize)} (${min}-${max})`,
      );
    if (config.replicaLag === "replica" && config.replicaUrl === undefined)
      problems.push(`${optionName(o.replicaLag)} replica needs ${optionName(o.replicaUrl)}`);
    if (config.replicaLag !== "replica" && config.replicaUrl !== undefined)
      problems.push(
        `${optionName(o.replicaUrl)} is set but ${optionName(o.replicaLag)} is ${config.replicaLag}, not replica`,
      );
    return problems;
  },
};
