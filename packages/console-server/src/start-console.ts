import type { AddressInfo } from "node:net";
import { readBulkStatus, readRecordStatus, type StatusOptions } from "@deletion/deletion-status";
import { type Kafka, type RequestSigner, withTimeout } from "@deletion/kafka";
import type { BulkIds } from "@deletion/workflows";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import { loadAssets } from "./assets.js";
import { BulkActions } from "./bulk-actions.js";
import { BulkBoard } from "./bulk-board.js";
import { createConsoleApp } from "./console-app.js";
import { ConsoleState } from "./console-state.js";
import { readGroupLag } from "./lag-probe.js";
import { LiveHub } from "./live-hub.js";
import { poll } from "./poller.js";
import { RedriveActions } from "./redrive-actions.js";
import { Sessions } from "./sessions.js";
import { startTopicFeed, type TopicHandler } from "./topic-feed.js";
import { probeWorker } from "./worker-probe.js";

export interface ConsoleOptions {
  kafka: Kafka;
  logger: Logger;
  host: string;
  /** 0: any free port (the log line says which). */
  port: number;
  token: string;
  assetsDir: string;
  topics: { requests: string; completions: string; deadLetters: string };
  /** The workers' consumer group, whose lag is shown. */
  workerGroupId: string;
  redriveGroupId: string;
  /** Base URLs of the workers' HTTP servers (their /readyz and /metrics). */
  workerUrls: string[];
  status: StatusOptions;
  pollIntervalMs: number;
  connectTimeoutMs: number;
  redriveTimeoutMs: number;
  sessionTtlMs: number;
  /**
   * Signs what the console publishes (re-driven requests, bulk requests), for workers that
   * require signed requests (the console's REQUEST_SIGNING_KEY_FILE).
   */
  signer?: RequestSigner | undefined;
  /** Bulk deletions: shown and submitted only when their request topic exists. */
  bulk?: {
    requestTopic: string;
    completionTopic: string;
    /** The bulks' promise ids (BulkIds of the workers' prefix). */
    ids: { of(bulkId: string): string; cancelOf(bulkId: string): string };
    cancel: (
      bulkId: string,
      restore: boolean,
    ) => Promise<{ ok: true; alreadyRequested: boolean } | { ok: false; reason: string }>;
  };
}

export interface RunningConsole {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A record id nobody uses, looked up to see whether the Resonate server answers. */
const PROBE_RECORD_ID = "console-health-probe";

/**
 * Starts the console: one subscription to the topics, probes of the lag, the workers and the
 * Resonate server on one interval, and the HTTP server every page connects to.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { kafka, logger } = options;
  const now = () => Date.now();
  const state = new ConsoleState({
    now,
    lagGroup: options.workerGroupId,
    lagTopic: options.topics.requests,
  });
  const hub = new LiveHub({ render: () => JSON.stringify(state.snapshot()), throttleMs: 250 });
  state.subscribe(() => hub.changed());

  const admin = kafka.admin();
  await withTimeout("connecting the admin client", options.connectTimeoutMs, admin.connect());
  const existing = new Set(
    await withTimeout("listing the topics", options.connectTimeoutMs, admin.listTopics()),
  );
  const handlers = new Map<string, TopicHandler>([
    [options.topics.completions, (value) => state.addCompletion(value)],
    [options.topics.deadLetters, (value, where) => state.addDeadLetter(value, where)],
  ]);
  const bulk = options.bulk && existing.has(options.bulk.requestTopic) ? options.bulk : undefined;
  if (options.bulk && !bulk)
    logger.warn({ topic: options.bulk.requestTopic }, "no bulk request topic: the bulk views are off");
  const board = bulk
    ? new BulkBoard({
        read: (bulkId) => readBulkStatus(bulkId, { source: options.status.source, ids: bulk.ids as BulkIds }),
        limit: 50,
        onChange: () => state.setBulks(board?.list() ?? null),
      })
    : undefined;
  if (bulk && board) {
    handlers.set(bulk.requestTopic, (value) => board.addRequested(value));
    if (existing.has(bulk.completionTopic))
      handlers.set(bulk.completionTopic, (value) => board.addCompleted(value));
    state.setBulks([]);
  }
  const feed = await startTopicFeed(kafka, {
    handlers,
    // Under the re-drive group's name, so a broker that grants the app user that group prefix
    // (deploy/secure/kafka-users.sh) lets the console read too.
    groupPrefix: `${options.redriveGroupId}.console`,
    connectTimeoutMs: options.connectTimeoutMs,
    logger,
  }).catch(async (error: unknown) => {
    await admin.disconnect().catch(() => {});
    throw error;
  });
  state.setTopics({ ok: true });
  const probes = poll(async () => {
    const lag = readGroupLag(admin, options.workerGroupId, options.topics.requests).then(
      (partitions) => state.setLag({ partitions }),
      (error: unknown) => state.setLag({ error: errorText(error) }),
    );
    const workers = Promise.all(
      options.workerUrls.map((url) =>
        probeWorker(url, { fetch: (u, init) => fetch(u, init), timeoutMs: 2_000, now }),
      ),
    ).then((health) => state.setWorkers(health));
    const resonate = readRecordStatus(PROBE_RECORD_ID, options.status).then(
      (status) =>
        state.setResonate(
          status.state === "unreachable" ? { ok: false, error: status.reason } : { ok: true },
        ),
      (error: unknown) => state.setResonate({ ok: false, error: errorText(error) }),
    );
    const bulks = board?.refresh().catch(() => {});
    await Promise.all([lag, workers, resonate, bulks]);
  }, options.pollIntervalMs);

  const redrive = new RedriveActions(kafka, state, {
    deadLetterTopic: options.topics.deadLetters,
    requestTopic: options.topics.requests,
    redriveGroupId: options.redriveGroupId,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.redriveTimeoutMs,
    signer: options.signer,
    logger,
  });
  const bulkActions =
    bulk && board
      ? new BulkActions(kafka, board, {
          requestTopic: bulk.requestTopic,
          cancel: bulk.cancel,
          firstCountWithinMs: 5_000,
          signer: options.signer,
          logger,
        })
      : undefined;
  const app = createConsoleApp({
    ...(bulkActions ? { bulk: bulkActions } : {}),
    sessions: new Sessions({ token: options.token, ttlMs: options.sessionTtlMs, maxSessions: 100, now }),
    hub,
    assets: loadAssets(options.assetsDir),
    lookupRecord: (recordId) => readRecordStatus(recordId, options.status),
    redrive,
    sessionSeconds: Math.floor(options.sessionTtlMs / 1000),
  });

  const listening = Promise.withResolvers<AddressInfo>();
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) =>
    listening.resolve(info),
  );
  server.once("error", (error) => listening.reject(error));
  const { port } = await listening.promise;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${shownHost}:${port}/`,
    async stop() {
      probes.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await Promise.all([
        feed.stop(),
        redrive.close(),
        bulkActions?.close(),
        admin.disconnect().catch(() => {}),
      ]);
    },
  };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
