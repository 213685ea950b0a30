import { Writable } from "node:stream";
import { LOG_EVENTS } from "@deletion/contracts";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BrokerOutage, isOutageLine } from "../src/broker-outage.js";
import { kafkaLogger } from "../src/client.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split("\n")) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

const DOWN = "[thrd:main]: 1/1 brokers are down: all broker connections are down";
const REFUSED =
  "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("BrokerOutage", () => {
  it("an outage is two lines however many errors it brings: unreachable at the first, reachable with the count", async () => {
    const { lines, logger } = capture();
    let answers = false;
    const outage = new BrokerOutage({ logger, probe: async () => answers, probeEveryMs: 1_000 });
    const client = kafkaLogger(logger, "kafka", outage);
    for (let i = 0; i < 86; i++) client.error(DOWN);
    for (let i = 0; i < 40; i++) client.warn(REFUSED);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(outage.down).toBe(true);
    answers = true;
    await vi.advanceTimersByTimeAsync(1_000);

    expect(lines.map((l) => l.event)).toEqual([LOG_EVENTS.brokersUnreachable, LOG_EVENTS.brokersReachable]);
    expect(lines[0]).toMatchObject({ level: 40, reason: DOWN });
    expect(lines[1]).toMatchObject({ level: 30, folded: 125, downMs: 6_000 });
    expect(outage).toMatchObject({ down: false, outages: 1, folded: 125 });
  });

  it("keeps lines that are not about reaching the brokers, and definitive refusals, as they were", () => {
    const { lines, logger } = capture();
    const outage = new BrokerOutage({ logger, probe: async () => false });
    const client = kafkaLogger(logger, "kafka", outage);
    client.warn("Topic authorization failed for records_that_were_deleted");
    client.error(
      "[thrd:sasl_ssl://b:9093/bootstrap]: sasl_ssl://b:9093/bootstrap: SASL authentication error: Authentication failed (after 3ms in state AUTH_REQ)",
    );
    expect(lines.map((l) => l.level)).toEqual([40, 50]);
    expect(outage.down).toBe(false);
    outage.stop();
  });

  it("tells the client's outage lines from the rest", () => {
    expect(isOutageLine(DOWN)).toBe(true);
    expect(isOutageLine(REFUSED)).toBe(true);
    expect(
      isOutageLine("[thrd:main]: Failed to acquire idempotence PID from broker b:9092/1: retrying"),
    ).toBe(true);
    expect(isOutageLine("Topic authorization failed")).toBe(false);
  });
});
