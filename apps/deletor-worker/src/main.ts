#!/usr/bin/env node
import {
  type ConfigOf,
  createLogger,
  exitHardOnUncaughtException,
  handleShutdownSignals,
  hardExit,
  runCli,
} from "@deletion/cli-kit";
import { DeletorWorker, publishRefusalReporter, startHttpServer, WorkerMetrics } from "@deletion/deletor";
import {
  createIdempotentProducer,
  createKafka,
  KafkaCompletionPublisher,
  withTimeout,
} from "@deletion/kafka";
import {
  createResonateClient,
  probeResonate,
  registerDeletionWorkflow,
  SimulatedRecordStore,
} from "@deletion/workflows";
import { workerCli } from "./config.js";

type WorkerConfig = ConfigOf<typeof workerCli.options>;

const CONNECT_TIMEOUT_MS = 30_000;

async function main(config: WorkerConfig): Promise<number> {
  const logger = createLogger({ name: "deletor-worker", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: `deletor-worker-${config.resonatePid}`,
    logger,
  });
  const producer = createIdempotentProducer(kafka);
  await withTimeout(`connecting to Kafka at ${config.brokers}`, CONNECT_TIMEOUT_MS, producer.connect());

  const client = createResonateClient({
    url: config.resonateUrl,
    group: config.resonateGroup,
    pid: config.resonatePid,
    ttlMs: config.resonateTtlMs,
    logger: logger.child({ component: "resonate" }),
  });
  if (client.durability === "in-process") {
    logger.warn(
      { event: "in_process_resonate" },
      "no RESONATE_URL: durable promises live in this process only; unfinished records are redelivered after a restart. Run a single worker in this mode.",
    );
  }
  const metrics = new WorkerMetrics();
  const runtime = registerDeletionWorkflow(client.resonate, {
    store: new SimulatedRecordStore({
      transientErrorRate: config.simErrorRate,
      finishRate: config.simFinishRate,
      ...(config.simSeed !== undefined ? { seed: config.simSeed } : {}),
      fixedBatches: config.simFixedBatches,
      failFirstAttempt: config.simFailIds,
    }),
    publisher: new KafkaCompletionPublisher(
      producer,
      { completions: config.outputTopic, deadLetters: config.deadLetterTopic },
      config.resonatePid,
      {
        initialDelayMs: 200,
        maxDelayMs: 10_000,
        giveUpAfterMs: config.publishGiveUpMs,
        maxOriginalBytes: config.deadLetterMaxBytes,
        onRefused: publishRefusalReporter(logger, metrics),
        onTransient: (topic, error, attempt, nextDelayMs) =>
          logger.warn(
            {
              event: "retrying",
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
    promisePrefix: config.promisePrefix,
    shape: { batchPause: config.batchPause, segmentGroup: config.resonateGroup },
    batchRetry: {
      initialDelayMs: config.retryInitialDelayMs,
      maxDelayMs: 30_000,
      maxRetries: config.retryMaxRetries,
    },
  });

  // A dead letter the broker refuses even in minimal form: stop (exit 1) instead of spinning.
  let exitCode = 0;
  let stopFatally: (reason: string) => void = () => {};
  const worker = new DeletorWorker({
    kafka,
    producer,
    runtime,
    durability: client.durability,
    groupId: config.groupId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    topics: { input: config.inputTopic, deadLetters: config.deadLetterTopic },
    maxInFlight: config.maxInFlight,
    batchSleepMs: config.batchSleepMs,
    commitIntervalMs: config.commitIntervalMs,
    logger,
    metrics,
    deadLetters: { maxOriginalBytes: config.deadLetterMaxBytes, giveUpAfterMs: config.publishGiveUpMs },
    onFatal: (error) => {
      exitCode = 1;
      stopFatally(error.message);
    },
  });

  let resonateReachable = client.durability === "in-process";
  const probe = async () => {
    metrics.heartbeatGapMax.set(client.heartbeatGapMaxMs() / 1000);
    resonateReachable = await probeResonate(client);
  };
  const probeTimer = setInterval(() => void probe(), 5_000);
  await probe();

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
  });
  logger.info({ event: "http", port: http.port }, "serving /healthz, /readyz and /metrics");

  const done = Promise.withResolvers<number>();
  const shutdown = handleShutdownSignals({
    timeoutMs: config.shutdownTimeoutMs,
    log: (message, fields) => logger.info({ event: "shutdown", ...fields }, message),
    onShutdown: async () => {
      clearInterval(probeTimer);
      await worker.stop(Math.floor(config.shutdownTimeoutMs / 2));
      await producer.flush({ timeout: 5_000 }).catch(() => {});
      await producer.disconnect().catch(() => {});
      await client.resonate.stop().catch(() => {});
      await http.close();
      logger.info({ event: "stopped", exitCode }, "worker stopped");
      done.resolve(exitCode);
    },
  });
  stopFatally = (reason) => void shutdown(reason);

  await withTimeout(
    `joining consumer group ${config.groupId} at ${config.brokers}`,
    CONNECT_TIMEOUT_MS,
    worker.start(),
  );
  const code = await done.promise;
  // librdkafka's threads can outlive disconnect; the work is done, so leave now, for sure.
  hardExit(code);
}

exitHardOnUncaughtException("deletor-worker");
await runCli(workerCli, main);
