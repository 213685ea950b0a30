export { BulkConsumer, type BulkConsumerOptions } from "./bulk-consumer.js";
export { BulkDispatcher } from "./bulk-dispatcher.js";
export { durabilityStrategy } from "./durability.js";
export { startHttpServer } from "./http-server.js";
export { type BulkPublisherTopics, KafkaBulkPublisher } from "./kafka-bulk-publisher.js";
export { WorkerMetrics } from "./metrics.js";
export { PublishGate } from "./publish-gate.js";
export { publishRefusalReporter } from "./publish-refusals.js";
export {
  checkRequestSignature,
  ed25519PublicKey,
  type RequestKeyring,
} from "./request-verification.js";
export { runShutdownSteps, workerShutdownSteps } from "./shutdown-steps.js";
export { DeletorWorker } from "./worker.js";
