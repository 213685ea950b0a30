import { createLogger, kafkaSecurityOf } from "@deletion/cli-kit";
import { createKafka, ensureTopics, listTopicsWithin, looksUnreachable, withTimeout } from "@deletion/kafka";
import type { TopicSetupConfig } from "./config.js";
import { reportTopic } from "./report.js";

/** Creates or verifies the topics (requests, completions, dead letters, and the two bulk topics); the exit code says whether the brokers could be used. */
export async function setupTopics(config: TopicSetupConfig): Promise<number> {
  const log = createLogger({ name: "topic-setup", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: "topic-setup",
    logger: log,
    security: kafkaSecurityOf(config),
  });
  const admin = kafka.admin();
  const specs = [
    { name: config.inputTopic, retentionMs: config.requestsRetentionMs },
    { name: config.outputTopic, retentionMs: config.completionsRetentionMs },
    { name: config.deadLetterTopic, retentionMs: config.deadLettersRetentionMs },
    { name: config.bulkTopic, retentionMs: config.requestsRetentionMs },
    { name: config.bulkCompletionTopic, retentionMs: config.completionsRetentionMs },
  ].map((topic) => ({
    ...topic,
    partitions: config.partitions,
    replicationFactor: config.replicationFactor,
  }));
  try {
    // Asked first: it tells a refused password or certificate at once, not at the timeout.
    await listTopicsWithin(kafka, config.timeoutMs);
    await withTimeout("connecting", config.timeoutMs, admin.connect());
    // The client's own timeouts apply per request; this bounds the whole exchange.
    const statuses = await withTimeout(
      "listing and creating the topics",
      config.timeoutMs,
      ensureTopics(admin, specs, config.timeoutMs),
    );
    for (const status of statuses) reportTopic(log, status);
    const mismatches = statuses.filter((s) => s.status === "partition-mismatch").length;
    log.info(
      { brokers: config.brokers, topics: statuses.length, mismatches },
      mismatches > 0 ? `topics ready; ${mismatches} with a different partition count` : "topics ready",
    );
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = looksUnreachable(error) ? " (is a broker running and reachable there?)" : "";
    const message = `could not set up topics on Kafka at ${config.brokers}: ${reason}${hint}`;
    log.error({ brokers: config.brokers, err: error }, message);
    process.stderr.write(`topic-setup: ${message}\n`);
    return 1;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
