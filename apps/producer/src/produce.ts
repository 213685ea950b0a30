import { createLogger, handleShutdownSignals, kafkaSecurityOf, requestSignerOf } from "@deletion/cli-kit";
import {
  createIdempotentProducer,
  createKafka,
  listTopicsWithin,
  looksUnreachable,
  newRunId,
  type ProduceSummary,
  produceDeletionRequests,
  withTimeout,
} from "@deletion/kafka";
import type { ProducerConfig } from "./config.js";
import { progressLine, summaryFields, summaryLine } from "./report.js";

/** Exit code after Ctrl-C, as shells report a SIGINT death. */
const EXIT_INTERRUPTED = 130;

/**
 * Produces the requests; 0 when all were acknowledged. Ctrl-C stops starting new chunks and
 * waits for those in flight, so the summary still says what was written.
 */
export async function produceRequests(config: ProducerConfig): Promise<number> {
  const log = createLogger({ name: "producer", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: "producer",
    logger: log,
    security: kafkaSecurityOf(config),
  });
  const producer = createIdempotentProducer(kafka, { deliveryTimeoutMs: config.deliveryTimeoutMs });
  const idPrefix = config.idPrefix ?? newRunId();
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let connected = false;
  handleShutdownSignals({
    timeoutMs: config.deliveryTimeoutMs,
    log: (message, fields) => log.warn(fields ?? {}, message),
    onShutdown: async () => {
      abort.abort();
      await running.catch(() => {});
    },
  });

  try {
    const topics = await listTopicsWithin(kafka, config.connectTimeoutMs);
    if (!topics.includes(config.topic)) {
      log.warn(
        { topic: config.topic },
        `topic ${config.topic} does not exist; the broker creates it on first write with its default partition count (if it allows that). Run topic-setup first to choose.`,
      );
    }
    await withTimeout("connecting the producer", config.connectTimeoutMs, producer.connect());
    connected = true;
    log.info(
      { topic: config.topic, count: config.count, idPrefix, rate: config.rate },
      `producing ${config.count} deletion requests to ${config.topic}`,
    );
    const run = produceDeletionRequests(producer, {
      topic: config.topic,
      count: config.count,
      idPrefix,
      ratePerSecond: config.rate,
      chunkSize: config.chunkSize,
      signer: requestSignerOf(config),
      signal: abort.signal,
      onDelivered: config.verbose
        ? (record) =>
            log.info(
              record,
              `produced ${record.recordId} to partition ${record.partition} at offset ${record.offset}`,
            )
        : undefined,
      onProgress: (progress) => process.stderr.write(`producer: ${progressLine(progress)}\n`),
    });
    running = run;
    const summary: ProduceSummary = await run;
    log.info(summaryFields(summary, config.topic, idPrefix), summaryLine(summary, config.topic));
    process.stderr.write(`producer: ${summaryLine(summary, config.topic)}\n`);
    return summary.aborted ? EXIT_INTERRUPTED : 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = looksUnreachable(error) ? " (is a broker running and reachable there?)" : "";
    const message = `could not produce to ${config.topic} on Kafka at ${config.brokers}: ${reason}${hint}`;
    log.error({ brokers: config.brokers, topic: config.topic, err: error }, message);
    process.stderr.write(`producer: ${message}\n`);
    return 1;
  } finally {
    // Disconnecting a producer that is still connecting blocks until its metadata request
    // gives up (30 s); the probe above makes that a rare race rather than the usual failure.
    if (connected) {
      // disconnect flushes; against a dead broker that could wait for the delivery timeout.
      await withTimeout("disconnecting", 5_000, producer.disconnect()).catch(() => {});
    }
  }
}
