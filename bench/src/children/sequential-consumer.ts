#!/usr/bin/env node
// The baseline the worker's head-of-line figures are compared with: a consumer that takes the
// next message only once the previous record's deletion has finished (one awaited workflow,
// start to end, inside eachMessage). Same workflow, store, publisher and configuration as the
// worker: it reads the worker's own options (flags and environment, `--help` lists them) and
// opens the store the way the worker does, so a bench gives both processes the same settings.
// Runs until killed; the completions go to the output topic like the worker's.
import { createLogger, runCli } from "@deletion/cli-kit";
import { decodeDeletionRequested, LOG_EVENTS } from "@deletion/contracts";
import { workerCli } from "@deletion/deletor-worker/config";
// The worker's own store opening (not among its package's exports): its built file.
import { openRecordStore } from "@deletion/deletor-worker/record-store";
import { createIdempotentProducer, createKafka, KafkaCompletionPublisher } from "@deletion/kafka";
import { createResonateClient } from "@deletion/resonate-client";
import { registerDeletionWorkflow } from "@deletion/workflows";

await runCli(workerCli, async (config) => {
  const logger = createLogger({ name: "sequential-consumer", level: config.logLevel });
  const store = await openRecordStore(config, logger);
  if (!store.ok) {
    process.stderr.write(`sequential-consumer: ${store.message}\n`);
    return store.exitCode;
  }
  const kafka = createKafka({ brokers: config.brokers, clientId: "sequential-consumer", logger });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const client = createResonateClient({
    url: config.resonateUrl,
    group: config.resonateGroup,
    pid: config.resonatePid,
    ttlMs: config.resonateTtlMs,
    logger: logger.child({ component: "resonate" }),
  });
  const runtime = registerDeletionWorkflow(client.resonate, {
    store: store.store,
    publisher: new KafkaCompletionPublisher(
      producer,
      { completions: config.outputTopic, deadLetters: config.deadLetterTopic },
      config.resonatePid,
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
  const consumer = kafka.consumer({ kafkaJS: { groupId: config.groupId, fromBeginning: true } });
  await consumer.connect();
  await consumer.subscribe({ topics: [config.inputTopic] });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const decoded = decodeDeletionRequested(message.value, { fallbackRequestedAt: new Date() });
      if (!decoded.ok) return; // the worker would dead-letter it; the bench sends none
      const { recordId, requestedAt } = decoded.value.request;
      const start = await runtime.begin({
        recordId,
        requestedAt,
        source: { topic, partition, offset: message.offset },
        batchSleepMs: config.batchSleepMs ?? 0,
      });
      if (start.kind === "started") await start.end();
    },
  });
  logger.info({ event: LOG_EVENTS.started }, "sequential consumer running");
  await new Promise(() => {}); // until killed
  return 0;
});
