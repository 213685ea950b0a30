import { decodeDeletionRequested } from "@deletion/contracts";
import { freePort } from "@deletion/local-stack";
import { uniqueName } from "@deletion/test-kit";
import { describe, expect, inject, it } from "vitest";
import { createTopic, LEVEL, logLines, readTopic, runApp } from "../support/index.js";

const brokers = inject("kafkaBrokers");

describe("producer", () => {
  it("writes exactly N valid v1 requests with distinct ids, each keyed by its record id", async () => {
    const topic = uniqueName("producer-requests");
    await createTopic(brokers, topic, 3);

    const run = await runApp("producer", ["-n", "1000", "--topic", topic, "--brokers", brokers]);
    expect(run.code, run.stderr).toBe(0);
    const summary = logLines(run.stdout).find((l) => l.requested !== undefined);
    expect(summary).toMatchObject({ level: LEVEL.info, count: 1000, requested: 1000, topic, aborted: false });
    expect(run.stderr).toContain(`produced 1,000 deletion requests to ${topic}`);

    const messages = await readTopic(brokers, topic, { expected: 1000 });
    expect(messages).toHaveLength(1000);
    const ids = new Set<string>();
    for (const message of messages) {
      const decoded = decodeDeletionRequested(message.value);
      if (!decoded.ok) throw new Error(`offset ${message.offset}: ${decoded.error.reason}`);
      expect(decoded.value.format).toBe("v1");
      expect(message.key).toBe(decoded.value.request.recordId);
      ids.add(decoded.value.request.recordId);
    }
    expect(ids.size).toBe(1000);
    expect(summary?.partitions).toEqual([...new Set(messages.map((m) => m.partition))].sort());
  });

  it("with -v, reports for each record the partition and offset it really has", async () => {
    const topic = uniqueName("producer-verbose");
    const idPrefix = uniqueName("v").replace(/[^A-Za-z0-9-]/g, "");
    await createTopic(brokers, topic, 3);

    // Brokers from the environment this time, as a deployment would pass them.
    const run = await runApp("producer", ["-v", "-n", "300", "--topic", topic, "--id-prefix", idPrefix], {
      KAFKA_BROKERS: brokers,
    });
    expect(run.code, run.stderr).toBe(0);
    const reported = logLines(run.stdout).filter((l) => typeof l.recordId === "string");
    expect(reported).toHaveLength(300);
    expect(new Set(reported.map((l) => l.recordId)).size).toBe(300);
    expect(reported.every((l) => String(l.recordId).startsWith(`${idPrefix}-`))).toBe(true);

    const messages = await readTopic(brokers, topic, { expected: 300 });
    const actual = new Map(messages.map((m) => [m.key, `${m.partition}/${m.offset}`]));
    for (const line of reported) {
      expect(`${line.partition}/${line.offset}`, String(line.recordId)).toBe(
        actual.get(String(line.recordId)),
      );
    }
  });

  it("exits 1 with a message naming the broker when none answers", async () => {
    const unreachable = `127.0.0.1:${await freePort()}`;
    const run = await runApp("producer", [
      "-n",
      "5",
      "--brokers",
      unreachable,
      "--connect-timeout-ms",
      "3000",
    ]);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`on Kafka at ${unreachable}`);
  });

  it("rejects --count abc with exit 2, naming --count", async () => {
    const run = await runApp("producer", ["--count", "abc"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--count");
  });

  it("prints usage listing its flags for --help and exits 0", async () => {
    const run = await runApp("producer", ["--help"]);
    expect(run.code).toBe(0);
    for (const flag of [
      "-n, --count",
      "--brokers",
      "--topic",
      "--rate",
      "-v, --verbose",
      "--id-prefix",
      "--help",
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });
});
