import { kafkaSecurityOf, type Logger } from "@deletion/cli-kit";
import { LOG_EVENTS } from "@deletion/contracts";
import type { ConsumerRefusal } from "@deletion/kafka";
import type { WorkerConfig } from "./config.js";

/**
 * Says, once and at fatal level, which grant the broker refused this worker's consumers, so an
 * operator reads the fix in one line instead of a refusal repeated on every fetch. The worker
 * then stops (exit 1): a consumer without its grant is never assigned a partition.
 */
export function reportConsumerRefusal(logger: Logger, config: WorkerConfig, refusal: ConsumerRefusal): void {
  const user = kafkaSecurityOf(config)?.sasl?.username;
  const consumers = {
    requests: { group: config.groupId, topic: config.inputTopic },
    bulk: { group: config.bulkGroupId, topic: config.bulkTopic },
  };
  logger.fatal(
    { event: LOG_EVENTS.consumerRefused, refusal, kafkaUser: user ?? null, consumers },
    `the broker refused this worker's consumer: ${refusal} (Kafka user ${user ?? "(none)"}; ` +
      `group ${consumers.requests.group} on ${consumers.requests.topic}, ` +
      `group ${consumers.bulk.group} on ${consumers.bulk.topic}); grant it (docs/security.md) and start the worker again; stopping`,
  );
}
