import type { Logger } from "@deletion/cli-kit";
import { EXIT_USAGE } from "@deletion/cli-kit";
import { BULK_LOG_EVENTS } from "@deletion/contracts";
import {
  BulkConsumer,
  type durabilityStrategy,
  KafkaBulkPublisher,
  type RequestKeyring,
  type WorkerMetrics,
} from "@deletion/deletor";
import type { Kafka, Producer, RequestSigner } from "@deletion/kafka";
import { type BulkSelectionStore, SimulatedBulkSelection } from "@deletion/record-store";
import { createPool, openBulkSelection } from "@deletion/store-postgres";
import { type RecordPromiseIds, registerBulkWorkflow } from "@deletion/workflows";
import type { WorkerConfig } from "./config.js";

export type OpenedBulkSelection =
  | { ok: true; selection: BulkSelectionStore; close(): Promise<void> }
  | { ok: false; exitCode: number; message: string };

/**
 * The bulk side of the configured store. With postgres, every --selector column is checked
 * against the catalogue before any message is read: one that is not on the parent table is
 * bad configuration (exit 2, naming it), as a bad --tables entry is.
 */
export async function openBulkStore(config: WorkerConfig, logger: Logger): Promise<OpenedBulkSelection> {
  if (config.store === "simulated" || !config.databaseUrl) {
    const selection = new SimulatedBulkSelection({ selectors: config.selectors.map((s) => s.name) });
    return { ok: true, selection, close: async () => {} };
  }
  const pool = createPool({
    connectionString: config.databaseUrl,
    max: 2,
    applicationName: "deletor-worker-bulk",
  });
  const opened = await openBulkSelection({
    pool,
    tables: config.tables,
    selectors: config.selectors,
    deletedAtColumn: config.deletedAtColumn,
  });
  if (!opened.ok) {
    await pool.end().catch(() => {});
    const { code, target, message } = opened.problem;
    return {
      ok: false,
      exitCode: code === "unreachable" ? 1 : EXIT_USAGE,
      message: `${code === "unreachable" ? "database" : `selector ${target}`}: ${message}`,
    };
  }
  for (const warning of opened.warnings) logger.warn({ event: BULK_LOG_EVENTS.selectorsChecked }, warning);
  logger.info(
    {
      event: BULK_LOG_EVENTS.selectorsChecked,
      selectors: config.selectors.map((s) => `${s.name}=${s.table}.${s.column}`),
    },
    "bulk selectors checked",
  );
  return { ok: true, selection: opened.selection, close: () => pool.end() };
}

export interface BulkWiring {
  config: WorkerConfig;
  resonate: Parameters<typeof registerBulkWorkflow>[0];
  recordIds: RecordPromiseIds;
  selection: BulkSelectionStore;
  kafka: Kafka;
  producer: Producer;
  durability: ReturnType<typeof durabilityStrategy>;
  /** Given, bulk requests must be signed (REQUEST_SIGNATURE_KEYS). */
  requestKeyring: RequestKeyring | undefined;
  /** Signs the record requests a bulk publishes (REQUEST_SIGNING_KEY_FILE), for workers that require signatures. */
  signer: RequestSigner | undefined;
  logger: Logger;
  metrics: WorkerMetrics;
}

/** Registers the bulk workflow on the worker's Resonate client and makes the bulk topic's consumer. */
export function bulkConsumerOf(wiring: BulkWiring): BulkConsumer {
  const { config } = wiring;
  if (wiring.requestKeyring && !wiring.signer) {
    wiring.logger.warn(
      { event: BULK_LOG_EVENTS.bulkRequestsUnsigned },
      "signed requests are required but this worker has no signing key (REQUEST_SIGNING_KEY_FILE): the record requests its bulks publish go unsigned and are dead-lettered as UNAUTHENTICATED",
    );
  }
  const runtime = registerBulkWorkflow(wiring.resonate, {
    selection: wiring.selection,
    publisher: new KafkaBulkPublisher(
      wiring.producer,
      { requests: config.inputTopic, completions: config.bulkCompletionTopic },
      config.resonatePid,
      wiring.signer,
    ),
    recordIds: wiring.recordIds,
    logger: wiring.logger,
    shape: { pageSize: config.bulkPageSize },
  });
  return new BulkConsumer({
    kafka: wiring.kafka,
    producer: wiring.producer,
    runtime,
    durability: wiring.durability,
    selectors: wiring.selection.selectors(),
    groupId: config.bulkGroupId,
    topic: config.bulkTopic,
    deadLetterTopic: config.deadLetterTopic,
    requestKeyring: wiring.requestKeyring,
    commitIntervalMs: config.commitIntervalMs,
    commitTimeoutMs: config.commitTimeoutMs,
    logger: wiring.logger,
    metrics: wiring.metrics,
  });
}
