import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BrokerConnectionError, type Kafka, type KafkaJsLogger, listTopicsWithin } from "../src/index.js";

const WRONG_PASSWORD_LINE =
  "[thrd:sasl_ssl://127.0.0.1:29094/bootstrap]: sasl_ssl://127.0.0.1:29094/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 315ms in state AUTH_REQ)";
const REFUSED_LINE =
  "[thrd:127.0.0.1:9/bootstrap]: 127.0.0.1:9/bootstrap: Connect to ipv4#127.0.0.1:9 failed: Connection refused (after 0ms in state CONNECT)";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Kafka whose admin client answers listTopics as `answer` says, given the logger the probe
 * handed it (where the real client writes its connection failures) and the request's timeout.
 */
function fakeKafka(answer: (logger: KafkaJsLogger, timeoutMs: number) => Promise<string[]>) {
  const timeouts: number[] = [];
  let disconnected = false;
  const kafka = {
    admin: (config: { kafkaJS: { logger: KafkaJsLogger } }) => ({
      connect: async () => {},
      disconnect: async () => {
        disconnected = true;
      },
      listTopics: ({ timeout }: { timeout: number }) => {
        timeouts.push(timeout);
        return answer(config.kafkaJS.logger, timeout);
      },
    }),
  } as unknown as Kafka;
  return { kafka, timeouts, disconnected: () => disconnected };
}

const transportFailure = () => new Error("Local: Broker transport failure");

/** Runs the probe on the fake clock to its end and returns how it settled. */
async function settle<T>(probe: Promise<T>): Promise<PromiseSettledResult<T>> {
  const outcome = Promise.allSettled([probe]).then(([result]) => result as PromiseSettledResult<T>);
  await vi.runAllTimersAsync();
  return outcome;
}

const rejection = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === "rejected" ? (outcome.reason as Error) : new Error("the probe did not fail");

describe("listTopicsWithin", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("returns the topics when the brokers answer", async () => {
    const fake = fakeKafka(async () => ["a", "b"]);
    expect(await settle(listTopicsWithin(fake.kafka, 5_000))).toEqual({
      status: "fulfilled",
      value: ["a", "b"],
    });
    expect(fake.disconnected()).toBe(true);
  });

  it("ends at the first refusal in the client's log, without asking again", async () => {
    const fake = fakeKafka(async (logger, timeoutMs) => {
      await sleep(10);
      logger.error(WRONG_PASSWORD_LINE);
      await sleep(timeoutMs);
      throw transportFailure();
    });
    const failure = rejection(await settle(listTopicsWithin(fake.kafka, 10_000)));
    expect(failure).toBeInstanceOf(BrokerConnectionError);
    expect(failure.message).toMatch(
      /^SASL authentication failed at 127\.0\.0\.1:29094: Authentication failed during authentication due to invalid credentials/,
    );
    expect(fake.timeouts).toHaveLength(1);
    expect(fake.disconnected()).toBe(true);
  });

  it("asks in short slices until the timeout, then names the connection failure it saw", async () => {
    const fake = fakeKafka(async (logger, timeoutMs) => {
      logger.error(REFUSED_LINE);
      await sleep(timeoutMs);
      throw transportFailure();
    });
    expect(rejection(await settle(listTopicsWithin(fake.kafka, 1_200))).message).toBe(
      "the brokers did not answer within 1200 ms (Local: Broker transport failure); connection failure: 127.0.0.1:9: Connect to ipv4#127.0.0.1:9 failed: Connection refused",
    );
    expect(fake.timeouts.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...fake.timeouts)).toBeLessThanOrEqual(500);
  });

  it("does not ask in a tight loop when every request fails at once", async () => {
    const fake = fakeKafka(async () => {
      throw transportFailure();
    });
    expect(rejection(await settle(listTopicsWithin(fake.kafka, 1_000))).message).toMatch(
      /did not answer within 1000 ms/,
    );
    // About one request per 100 ms pause, not thousands.
    expect(fake.timeouts.length).toBeGreaterThan(1);
    expect(fake.timeouts.length).toBeLessThanOrEqual(12);
  });
});
