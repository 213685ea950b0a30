import { type Kafka, withTimeout } from "./client.js";

/**
 * Asks the brokers for their topic names, giving up after `timeoutMs`. A producer's connect
 * cannot be bounded like this: it waits up to 30 s for metadata from a dead broker, and while
 * that request is pending even process.exit blocks. An admin request takes a timeout, so it
 * makes a cheap "is anyone there?" before a producer connects.
 */
export async function listTopicsWithin(kafka: Kafka, timeoutMs: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await withTimeout(
      "asking the brokers for their topics",
      timeoutMs,
      admin.listTopics({ timeout: timeoutMs }),
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Whether a failure reads like "no broker answered", so the message can suggest checking it. */
export function looksUnreachable(error: unknown): boolean {
  const reason = error instanceof Error ? error.message : String(error);
  return /transport failure|timed out|did not finish|all broker connections are down|resolve/i.test(reason);
}
