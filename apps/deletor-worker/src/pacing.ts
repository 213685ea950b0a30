import type { Logger } from "@deletion/cli-kit";
import {
  PACING_CHANGED,
  PACING_SIGNAL_FAILED,
  PACING_SIGNAL_RECOVERED,
  PACING_STARTED,
  type PacingChange,
  PacingController,
  registerPacingMetrics,
  SignalPoller,
} from "@deletion/pacing";
import {
  classifyPushBack,
  controlTableDdl,
  controlTableName,
  createPool,
  describePgError,
  pacingSignals,
} from "@deletion/store-postgres";
import type { WorkerConfig } from "./config.js";
import { batchSizesOf, maxConcurrentBatchesOf, pacingModeOf } from "./pacing-config.js";

export interface WorkerPacing {
  /** Undefined: no pacer (the simulated store under fixed pacing: today's behaviour exactly). */
  controller: PacingController | undefined;
  /** Starts reading the signals (after a first read, so the first batch knows the brake). */
  start(): Promise<void>;
  attachMetrics(registry: Parameters<typeof registerPacingMetrics>[0]): void;
  stop(): Promise<void>;
}

export type PreparedPacing =
  | { ok: true; pacing: WorkerPacing }
  | { ok: false; exitCode: number; message: string };

/**
 * The worker's pacer and its signals, from the configuration. Fixed pacing keeps the batch size
 * and the per-record pause and reads only the brake; adaptive also reads replica lag, vacuums and
 * lock waits and backs off on push-back. Each change of pace is one `pacing_changed` line.
 */
export async function preparePacing(config: WorkerConfig, logger: Logger): Promise<PreparedPacing> {
  const mode = pacingModeOf(config);
  if (config.store === "simulated" && mode === "fixed") return { ok: true, pacing: noPacing };
  const sizes = batchSizesOf(config);
  let count: (change: PacingChange) => void = () => {};
  const controller = new PacingController({
    mode,
    batchSize: {
      targetBatchMs: config.targetBatchMs,
      minBatchSize: mode === "adaptive" ? sizes.min : 1,
      maxBatchSize: mode === "adaptive" ? sizes.max : Number.MAX_SAFE_INTEGER,
      initialBatchSize: sizes.initial,
    },
    maxConcurrentBatches: maxConcurrentBatchesOf(config),
    classify: classifyPushBack,
    onChange: (change) => {
      count(change);
      logger.info(
        {
          event: PACING_CHANGED,
          cause: change.cause,
          reason: change.reason,
          batchSize: change.batchSize,
          batchesPerSecond: change.batchesPerSecond,
          intervalMs: change.intervalMs,
          holds: change.holds,
          running: change.running,
          waiting: change.waiting,
        },
        `pacing changed: ${change.reason}`,
      );
    },
  });
  const pools: Array<{ end(): Promise<void> }> = [];
  const closePools = () => Promise.all(pools.map((p) => p.end().catch(() => {}))).then(() => {});
  let poller: SignalPoller | undefined;
  if (config.store === "postgres" && config.databaseUrl) {
    const pool = createPool({
      connectionString: config.databaseUrl,
      max: 2,
      applicationName: "deletor-worker-pacing",
    });
    pools.push(pool);
    const adaptive = mode === "adaptive";
    let replicaLag:
      | { from: "primary" }
      | { from: "replica"; pool: ReturnType<typeof createPool> }
      | undefined;
    if (adaptive && config.replicaLag === "primary") replicaLag = { from: "primary" };
    if (adaptive && config.replicaLag === "replica" && config.replicaUrl) {
      const replica = createPool({
        connectionString: config.replicaUrl,
        max: 1,
        applicationName: "deletor-worker-pacing",
      });
      pools.push(replica);
      replicaLag = { from: "replica", pool: replica };
    }
    try {
      const readers = await pacingSignals({
        pool,
        tables: config.tables,
        replicaLag,
        maxReplicaLagMs: config.maxReplicaLagMs,
        autovacuum: adaptive && config.autovacuumSignal === "on",
        maxLockWaits: adaptive ? config.maxLockWaits : undefined,
        controlTable: config.controlTable,
      });
      poller = new SignalPoller(controller, readers, {
        intervalMs: config.pacingSignalIntervalMs,
        onReadFailed: (signal, error) =>
          logger.warn(
            { event: PACING_SIGNAL_FAILED, signal, err: describePgError(error) },
            `pacing signal ${signal} cannot be read; its last state stays`,
          ),
        onReadRecovered: (signal) =>
          logger.info({ event: PACING_SIGNAL_RECOVERED, signal }, `pacing signal ${signal} reads again`),
      });
    } catch (error) {
      await closePools();
      const denied = (error as { code?: unknown }).code === "42501";
      const table = config.controlTable ? controlTableName(config.tables, config.controlTable) : "";
      return {
        ok: false,
        exitCode: denied ? 2 : 1,
        message: denied
          ? `--control-table / PACING_CONTROL_TABLE: ${table} is missing and this user may not create it; create it once (or give --control-table none):\n${controlTableDdl(table)}`
          : `pacing signals: ${describePgError(error)}`,
      };
    }
  }
  logger.info(
    {
      event: PACING_STARTED,
      mode,
      batchSize: controller.state().batchSize,
      maxConcurrentBatches: maxConcurrentBatchesOf(config),
      targetBatchMs: mode === "adaptive" ? config.targetBatchMs : undefined,
    },
    `pacing ${mode}`,
  );
  return {
    ok: true,
    pacing: {
      controller,
      start: async () => {
        await poller?.start();
      },
      attachMetrics: (registry) => {
        count = registerPacingMetrics(registry, () => controller);
      },
      stop: async () => {
        poller?.stop();
        controller.close();
        await closePools();
      },
    },
  };
}

const noPacing: WorkerPacing = {
  controller: undefined,
  start: async () => {},
  attachMetrics: () => {},
  stop: async () => {},
};
