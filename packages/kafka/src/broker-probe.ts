import { type Admin, type Kafka, KafkaJS, loggerOfKafka, withTimeout } from "./client.js";
import { BrokerConnectionError } from "./connection-failures.js";
import { ConnectionWatch } from "./connection-watch.js";

/**
 * How long one metadata request of the probe may take. A pending request holds a thread that
 * disconnect and even process.exit wait for, so the probe asks in short slices: a refusal seen
 * in the client's log ends the wait at once, and what is still pending ends within a slice.
 */
const SLICE_MS = 500;
/** A request that fails at once is sent again after this long, not in a tight loop. */
const RETRY_PAUSE_MS = 100;

/**
 * Asks the brokers for their topic names, giving up after `timeoutMs` or at the first refusal
 * retrying cannot cure (a BrokerConnectionError naming the broker and the client's reason): a
 * producer's connect cannot be bounded. Why: docs/decisions/broker-probe.md
 */
export async function listTopicsWithin(kafka: Kafka, timeoutMs: number): Promise<string[]> {
  const watch = new ConnectionWatch(loggerOfKafka(kafka));
  const admin = kafka.admin({ kafkaJS: { logLevel: KafkaJS.logLevel.INFO, logger: watch.logger } });
  const asking = { done: false };
  try {
    await admin.connect();
    const answer = askUntil(admin, Date.now() + timeoutMs, timeoutMs, asking);
    // Once the race is over nobody waits for it; its last slice may still fail.
    answer.catch(() => {});
    return await withTimeout(
      "asking the brokers for their topics",
      timeoutMs + SLICE_MS,
      Promise.race([answer, watch.refused]),
    );
  } catch (error) {
    throw watch.explain(error);
  } finally {
    asking.done = true;
    await admin.disconnect().catch(() => {});
  }
}

async function askUntil(
  admin: Admin,
  deadline: number,
  timeoutMs: number,
  asking: { done: boolean },
): Promise<string[]> {
  for (;;) {
    const sent = Date.now();
    try {
      return await admin.listTopics({ timeout: Math.max(1, Math.min(SLICE_MS, deadline - sent)) });
    } catch (error) {
      if (asking.done) throw error;
      if (Date.now() >= deadline) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`the brokers did not answer within ${timeoutMs} ms (${reason})`);
      }
      const pause = Math.min(RETRY_PAUSE_MS - (Date.now() - sent), deadline - Date.now());
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Whether a failure reads like "no broker answered", so the message can suggest checking it. */
export function looksUnreachable(error: unknown): boolean {
  if (error instanceof BrokerConnectionError)
    return error.failure.kind === "connection" && error.failure.hint === undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return /transport failure|timed out|did not finish|did not answer|all broker connections are down|resolve/i.test(
    reason,
  );
}
