import { LOG_EVENTS } from "@deletion/contracts";
import type { PublishRefusal } from "@deletion/kafka";
import type { Logger } from "pino";
import type { WorkerMetrics } from "./metrics.js";

/**
 * One error line and one count per refused publish, wherever it happened (the dispatcher's dead
 * letters, a workflow's completion or dead letter), so operators see them all in one place.
 */
export function reportPublishRefusal(logger: Logger, metrics: WorkerMetrics, refusal: PublishRefusal): void {
  const { topic, source, kind, error } = refusal;
  metrics.publishRefused.labels(topic, error.reason).inc();
  logger.error(
    {
      event: LOG_EVENTS.publishRefused,
      topic,
      kind,
      source,
      partition: source.partition,
      offset: source.offset,
      reason: error.reason,
      code: error.code,
      brokerError: error.message,
    },
    `${kind} about ${source.topic}[${source.partition}]@${source.offset} refused for good by topic ${topic}: ${error.message}`,
  );
}

export const publishRefusalReporter =
  (logger: Logger, metrics: WorkerMetrics) =>
  (refusal: PublishRefusal): void =>
    reportPublishRefusal(logger, metrics, refusal);
