/**
 * The broker's refusals that a consumer cannot outlive: no grant on its group or topic, or
 * credentials it does not accept. ACLs and credentials do not change between two fetches.
 */
const REFUSALS = [
  "Group authorization failed",
  "Topic authorization failed",
  "Cluster authorization failed",
  "SASL Authentication failed",
] as const;

export type ConsumerRefusal = (typeof REFUSALS)[number];

/**
 * The refusal a client log line reports from a consumer's fetch loop, if any.
 *
 * Why from a log line: the client's KafkaJS-compatible consumer catches every error of its fetch
 * loop, logs "Consumer encountered error while consuming. Retrying." and fetches again, forever
 * (@confluentinc/kafka-javascript 1.10.1, lib/kafkajs/_consumer.js `#worker`: "this error cannot
 * be exposed to the user"). Nothing else reaches the application. Only that line is read, so a
 * producer's refusal (handled per publish, publish-errors.ts) never counts here.
 */
export function consumerRefusalIn(message: string): ConsumerRefusal | undefined {
  if (!message.startsWith("Consumer encountered error while consuming")) return undefined;
  const firstLine = message.split("\n", 1)[0] ?? "";
  return REFUSALS.find((refusal) => firstLine.toLowerCase().includes(refusal.toLowerCase()));
}
