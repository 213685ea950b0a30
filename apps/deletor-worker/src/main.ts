#!/usr/bin/env node
import {
  createLogger,
  exitHardOnUncaughtException,
  handleShutdownSignals,
  hardExit,
  kafkaSecurityOf,
  requestSignerOf,
  resonateSecurityOf,
  runCli,
} from "@deletion/cli-kit";
import { LOG_EVENTS } from "@deletion/contracts";
import {
  DeletorWorker,
  durabilityStrategy,
  PublishGate,
  publishRefusalReporter,
  runShutdownSteps,
  startHttpServer,
  WorkerMetrics,
  workerShutdownSteps,
} from "@deletion/deletor";
import {
  type ConsumerRefusal,
  createIdempotentProducer,
  createKafka,
  DEFAULT_PUBLISH_POLICY,
  KafkaCompletionPublisher,
  listTopicsWithin,
  outageOfKafka,
  withTimeout,
} from "@deletion/kafka";
import {
  createPayloadCipher,
  createResonateClient,
  probeResonate,
  reportSecurity,
  resonateLogger,
} from "@deletion/resonate-client";
import {
  DEFAULT_BATCH_RETRY,
  PromiseIds,
  registerBatchPacer,
  registerDeletionWorkflow,
} from "@deletion/workflows";
import { bulkConsumerOf, openBulkStore } from "./bulk.js";
import { type WorkerConfig, workerCli } from "./config.js";
import { reportConsumerRefusal } from "./consumer-refusal.js";
import { preparePacing } from "./pacing.js";
import { batchSleepMsOf } from "./pacing-config.js";
import { openRecordStore } from "./record-store.js";
import { requestKeyringOf } from "./request-signatures.js";
import { statusEndpoints } from "./status.js";
import { statusTokenOf } from "./status-token.js";

async function main(config: WorkerConfig): Promise<number> {
  const logger = createLogger({ name: "deletor-worker", level: config.logLevel, pretty: config.pretty });
  // The store is checked first: a bad table list is a configuration error, found before Kafka.
  const store = await openRecordStore(config, logger);
  if (!store.ok) {
    process.stderr.write(`deletor-worker: ${store.message}\n`);
    return store.exitCode;
  }
  const bulkStore = await openBulkStore(config, logger);
  if (!bulkStore.ok) {
    await store.close();
    process.stderr.write(`deletor-worker: ${bulkStore.message}\n`);
    return bulkStore.exitCode;
  }
  const paced = await preparePacing(config, logger);
  if (!paced.ok) {
    await store.close();
    process.stderr.write(`deletor-worker: ${paced.message}\n`);
    return paced.exitCode;
  }
  const { pacing } = paced;
  // Set once the worker can stop; a consumer starts only after that.
  let consumerRefused: (refusal: ConsumerRefusal) => void = () => {};
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: `deletor-worker-${config.resonatePid}`,
    logger,
    security: kafkaSecurityOf(config),
    onConsumerRefused: (refusal) => consumerRefused(refusal),
  });
  const producer = createIdempotentProducer(kafka);
  // A start that fails exits at once, whatever is already running (HTTP server, timers,
  // librdkafka threads): a process that stays up after it looks alive to its supervisor.
  const failStart = (what: string, error: unknown): never => {
    const reason = error instanceof Error ? error.message : String(error);
    logger.fatal(
      { event: LOG_EVENTS.startFailed, brokers: config.brokers, err: error },
      `${what} failed: ${reason}; exiting`,
    );
    hardExit(1);
  };
  // An admin request takes a timeout; a producer's or consumer's connect to a broker that does
  // not answer blocks a thread for 30 s, and process.exit with it. So the brokers are asked
  // first, and a start that fails there leaves at once with exit code 1.
  const reachBrokers = () =>
    listTopicsWithin(kafka, config.connectTimeoutMs).catch((error: unknown) =>
      failStart(`reaching the brokers at ${config.brokers}`, error),
    );
  await reachBrokers();
  await withTimeout(
    `connecting to Kafka at ${config.brokers}`,
    config.connectTimeoutMs,
    producer.connect(),
  ).catch((error: unknown) => failStart(`connecting the producer to ${config.brokers}`, error));

  const security = resonateSecurityOf(config);
  const payloads = createPayloadCipher(security.payloads);
  const { token, promiseIdKey } = security;
  reportSecurity(logger, { url: config.resonateUrl, token, promisePrefix: config.promisePrefix, payloads });
  const client = createResonateClient({
    url: config.resonateUrl,
    token,
    payloads,
    group: config.resonateGroup,
    pid: config.resonatePid,
    ttlMs: config.resonateTtlMs,
    logger: resonateLogger(logger),
    inProcessFinishedKept: config.inProcessFinishedKept,
  });
  const durability = durabilityStrategy(client.durability);
  if (durability.startupWarning) {
    logger.warn({ event: LOG_EVENTS.inProcessResonate }, durability.startupWarning);
  }
  const metrics = new WorkerMetrics();
  const outage = outageOfKafka(kafka);
  if (outage) metrics.watchBrokerOutages(outage);
  const publishes = new PublishGate(
    new KafkaCompletionPublisher(
      producer,
      { completions: config.outputTopic, deadLetters: config.deadLetterTopic },
      config.resonatePid,
      {
        ...DEFAULT_PUBLISH_POLICY,
        giveUpAfterMs: config.publishGiveUpMs,
        maxOriginalBytes: config.deadLetterMaxBytes,
        onRefused: publishRefusalReporter(logger, metrics),
        // While the brokers are out, the outage's own two lines say it (broker-outage.ts).
        onTransient: (topic, error, attempt, nextDelayMs) =>
          logger[outage?.down ? "debug" : "warn"](
            {
              event: LOG_EVENTS.retrying,
              what: "publish",
              topic,
              attempt,
              nextDelayMs,
              reason: error.reason,
              brokerError: error.message,
            },
            `publish to ${topic} failed; retrying`,
          ),
      },
    ),
    logger,
  );
  const runtime = registerDeletionWorkflow(client.resonate, {
    store: store.store,
    publisher: publishes,
    logger,
    promisePrefix: config.promisePrefix,
    promiseIdKey,
    payloads,
    taskCreates: client.taskCreates,
    localRuns: client.localRuns,
    shape: { batchPause: config.batchPause, segmentGroup: config.resonateGroup },
    batchRetry: {
      initialDelayMs: config.retryInitialDelayMs,
      maxDelayMs: DEFAULT_BATCH_RETRY.maxDelayMs,
      maxRetries: config.retryMaxRetries,
    },
  });
  if (pacing.controller) registerBatchPacer(client.resonate, pacing.controller);
  pacing.attachMetrics(metrics.registry);
  await pacing.start();

  const bulk = bulkConsumerOf({
    config,
    resonate: client.resonate,
    // The same ids the deletion runtime makes (keyed when a promise id key is set).
    recordIds: new PromiseIds(config.promisePrefix, { idKey: promiseIdKey }),
    selection: bulkStore.selection,
    kafka,
    producer,
    durability,
    requestKeyring: requestKeyringOf(config),
    signer: requestSignerOf(config),
    logger,
    metrics,
  });

  // A dead letter the broker refuses even in minimal form: stop (exit 1) instead of spinning.
  let exitCode = 0;
  let stopFatally: (reason: string) => void = () => {};
  const worker = new DeletorWorker({
    kafka,
    producer,
    runtime,
    durability,
    groupId: config.groupId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    topics: { input: config.inputTopic, deadLetters: config.deadLetterTopic },
    maxInFlight: config.maxInFlight,
    maxRunning: config.maxRunning,
    requestKeyring: requestKeyringOf(config),
    batchSleepMs: batchSleepMsOf(config),
    commitIntervalMs: config.commitIntervalMs,
    commitTimeoutMs: config.commitTimeoutMs,
    logger,
    metrics,
    deadLetters: { maxOriginalBytes: config.deadLetterMaxBytes, giveUpAfterMs: config.publishGiveUpMs },
    onFatal: (error) => {
      exitCode = 1;
      stopFatally(error.message);
    },
  });

  let resonateReachable = false;
  const { probeId } = new PromiseIds(config.promisePrefix);
  const probe = async () => {
    metrics.heartbeatGapMax.set(client.heartbeatGapMaxMs() / 1000);
    resonateReachable = await probeResonate(client, probeId);
  };
  const probeTimer = setInterval(() => void probe(), 5_000);
  await probe();

  const statusToken = statusTokenOf(config);
  const http = await startHttpServer(config.httpPort, {
    readiness: () => {
      const state = worker.readiness();
      const resonate = client.health();
      return {
        ...state,
        resonateReachable,
        ready: state.ready && resonateReachable && resonate.state === "healthy",
        durability: client.durability,
        resonate,
      };
    },
    registry: metrics.registry,
    ...statusEndpoints(
      config.resonateUrl,
      client,
      new PromiseIds(config.promisePrefix, { idKey: promiseIdKey }),
      store.postgres,
      { token, payloads },
    ),
    statusToken,
    promisePrefix: config.promisePrefix,
  });
  logger.info(
    { event: LOG_EVENTS.http, port: http.port, statusEndpoint: statusToken ? "bearer token" : "off" },
    statusToken
      ? "serving /healthz, /readyz, /metrics and, with the status token, /status/<recordId> and /status/bulk/<bulkId>"
      : "serving /healthz, /readyz and /metrics; /status is off (no STATUS_TOKEN_FILE)",
  );

  const done = Promise.withResolvers<number>();
  const shutdown = handleShutdownSignals({
    timeoutMs: config.shutdownTimeoutMs,
    log: (message, fields) => logger.info({ event: LOG_EVENTS.shutdown, ...fields }, message),
    onShutdown: async () => {
      clearInterval(probeTimer);
      // A second short of the bound, so the steps end before the shutdown timer exits the process.
      const budgetMs = Math.max(1_000, config.shutdownTimeoutMs - 1_000);
      await runShutdownSteps(
        [
          { name: "bulk consumer", run: () => bulk.stop(Math.min(2_000, budgetMs)) },
          ...workerShutdownSteps({ worker, resonate: client.resonate, publishes, producer }, budgetMs),
          { name: "pacing", run: () => pacing.stop() },
          { name: "store", run: () => store.close() },
          { name: "bulk store", run: () => bulkStore.close() },
          { name: "http", run: () => http.close() },
        ],
        budgetMs,
        (step, outcome, err) =>
          logger.warn(
            { event: LOG_EVENTS.shutdown, step, outcome, err },
            `shutdown step ${step}: ${outcome}`,
          ),
      );
      logger.info({ event: LOG_EVENTS.stopped, exitCode }, "worker stopped");
      done.resolve(exitCode);
    },
  });
  stopFatally = (reason) => void shutdown(reason);
  consumerRefused = (refusal) => {
    reportConsumerRefusal(logger, config, refusal);
    exitCode = 1;
    stopFatally(refusal);
  };

  await reachBrokers();
  await withTimeout(
    `starting the consumer of group ${config.groupId} at ${config.brokers}`,
    config.connectTimeoutMs,
    worker.start(),
  ).catch((error: unknown) => failStart(`starting the consumer at ${config.brokers}`, error));
  await withTimeout(
    `starting the bulk consumer of group ${config.bulkGroupId} at ${config.brokers}`,
    config.connectTimeoutMs,
    bulk.start(),
  ).catch((error: unknown) => failStart(`starting the bulk consumer at ${config.brokers}`, error));
  const code = await done.promise;
  // librdkafka's threads can outlive disconnect; the work is done, so leave now, for sure.
  hardExit(code);
}

exitHardOnUncaughtException("deletor-worker");
await runCli(workerCli, main);
