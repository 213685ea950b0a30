import type { Logger } from "@deletion/cli-kit";
import type { TopicStatus } from "@deletion/kafka";

/** One line per topic: what was done and what it looks like now. */
export function reportTopic(log: Logger, status: TopicStatus): void {
  const fields = { topic: status.name, status: status.status, partitions: status.partitions };
  switch (status.status) {
    case "created":
      log.info(fields, `topic ${status.name}: created with ${status.partitions} partition(s)`);
      return;
    case "exists":
      log.info(
        fields,
        `topic ${status.name}: already exists with ${status.partitions} partition(s), unchanged`,
      );
      return;
    case "partition-mismatch":
      log.warn(
        { ...fields, expected: status.expected },
        `topic ${status.name}: already exists with ${status.partitions} partition(s) but ${status.expected} were asked; ` +
          "left unchanged (adding partitions would move keys to other partitions; change it deliberately with Kafka's tools)",
      );
  }
}
