import { freePort } from "@deletion/local-stack";
import { uniqueName } from "@deletion/test-kit";
import { describe, expect, inject, it } from "vitest";
import { createTopic, LEVEL, logLines, runApp, topicPartitions } from "../support/index.js";

const brokers = inject("kafkaBrokers");

function topicFlags(prefix: string) {
  const names = {
    input: uniqueName(`${prefix}-requests`),
    output: uniqueName(`${prefix}-completions`),
    deadLetter: uniqueName(`${prefix}-dlq`),
    bulk: uniqueName(`${prefix}-bulk`),
    bulkCompletions: uniqueName(`${prefix}-bulk-done`),
  };
  const args = ["--input-topic", names.input, "--output-topic", names.output];
  const bulk = ["--bulk-topic", names.bulk, "--bulk-completion-topic", names.bulkCompletions];
  return { names, args: [...args, ...bulk, "--dead-letter-topic", names.deadLetter, "--brokers", brokers] };
}

const topicLines = (stdout: string) => logLines(stdout).filter((line) => typeof line.topic === "string");

describe("topic-setup", () => {
  it("creates the topics (bulk ones too), and a second run finds them and changes nothing", async () => {
    const { names, args } = topicFlags("setup");
    const all = [names.input, names.output, names.deadLetter, names.bulk, names.bulkCompletions];

    const first = await runApp("topic-setup", [...args, "--partitions", "4"]);
    expect(first.code, first.stderr).toBe(0);
    expect(topicLines(first.stdout).map((l) => [l.topic, l.status, l.partitions])).toEqual(
      all.map((name) => [name, "created", 4]),
    );
    expect(await topicPartitions(brokers, all)).toEqual(new Map(all.map((name) => [name, 4])));

    const second = await runApp("topic-setup", [...args, "--partitions", "4"]);
    expect(second.code, second.stderr).toBe(0);
    const lines = topicLines(second.stdout);
    expect(lines.map((l) => [l.topic, l.status])).toEqual(all.map((name) => [name, "exists"]));
    for (const line of lines) expect(line.msg).toContain("already exists");
    expect(await topicPartitions(brokers, all)).toEqual(new Map(all.map((name) => [name, 4])));
  });

  it("warns about an existing topic with another partition count and leaves it as it is", async () => {
    const { names, args } = topicFlags("mismatch");
    await createTopic(brokers, names.input, 1);

    const run = await runApp("topic-setup", [...args, "--partitions", "3"]);
    expect(run.code, run.stderr).toBe(0);
    const warning = topicLines(run.stdout).find((l) => l.topic === names.input);
    expect(warning).toMatchObject({
      level: LEVEL.warn,
      status: "partition-mismatch",
      partitions: 1,
      expected: 3,
    });
    expect(warning?.msg).toContain("1 partition(s) but 3 were asked");
    const partitions = await topicPartitions(brokers, [names.input, names.output, names.deadLetter]);
    expect(partitions).toEqual(
      new Map([
        [names.input, 1],
        [names.output, 3],
        [names.deadLetter, 3],
      ]),
    );
  });

  it("exits 1 with a message naming the broker when none answers", async () => {
    // A port that was free a moment ago: nothing listens there.
    const unreachable = `127.0.0.1:${await freePort()}`;
    const run = await runApp("topic-setup", ["--brokers", unreachable, "--timeout-ms", "3000"]);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`could not set up topics on Kafka at ${unreachable}`);
  });

  it("rejects a bad flag with exit 2, naming it", async () => {
    const run = await runApp("topic-setup", ["--partitions", "0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--partitions");
  });
});
