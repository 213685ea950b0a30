import type { Kafka, Producer } from "./client.js";

export interface ProducerOptions {
  /** How long librdkafka waits to fill a batch: throughput vs latency. */
  lingerMs?: number;
  /** How long one message may take to be delivered, retries included, before it fails. */
  deliveryTimeoutMs?: number;
}

/**
 * An idempotent producer: the broker de-duplicates librdkafka's internal retries, so a message
 * is written once and in order per partition even when a request is resent.
 */
export function createIdempotentProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  return kafka.producer({
    "linger.ms": options.lingerMs ?? 5,
    "message.timeout.ms": options.deliveryTimeoutMs ?? 30_000,
    "compression.type": "lz4",
    kafkaJS: { idempotent: true, acks: -1 },
  });
}
