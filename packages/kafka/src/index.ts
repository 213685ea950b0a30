export { listTopicsWithin, looksUnreachable } from "./broker-probe.js";
export {
  type Admin,
  type Consumer,
  createKafka,
  type Kafka,
  KafkaJS,
  type KafkaJsLogger,
  outageOfKafka,
  type Producer,
  withTimeout,
} from "./client.js";
export { systemClock } from "./clock.js";
export {
  DEFAULT_PUBLISH_POLICY,
  KafkaCompletionPublisher,
  publishDeadLetter,
} from "./completion-publisher.js";
export {
  BrokerConnectionError,
  connectionFailureIn,
  describeConnectionFailure,
  isDefinitive,
} from "./connection-failures.js";
export { type ConsumerRefusal, consumerRefusalIn } from "./consumer-refusal.js";
export { deadLetterFor, type RawMessage } from "./dead-letter.js";
export { type DeadLetterDelivery, deliverDeadLetter } from "./dead-letter-delivery.js";
export { createIdempotentProducer } from "./producer.js";
export { ProgressTicker } from "./progress.js";
export { type PublishRefusal, refusalsOf } from "./publish-refusal.js";
export { idDigits, newRunId, recordIdFor } from "./record-ids.js";
export { type RedriveProgress, type RedriveSummary, redriveDeadLetters } from "./redrive.js";
export { planRedrive, type RedriveDecision } from "./redrive-plan.js";
export { type ProduceProgress, type ProduceSummary, produceDeletionRequests } from "./request-producer.js";
export { ed25519PrivateKey, type RequestSigner, requestSigner } from "./request-signing.js";
export { type KafkaSecurity, librdkafkaSecurity } from "./security.js";
export { ensureTopics, type TopicStatus } from "./topics-admin.js";
