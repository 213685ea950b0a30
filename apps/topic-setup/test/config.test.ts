import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { topicSetupCli } from "../src/config.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(topicSetupCli, argv, env);

describe("topic-setup flags", () => {
  it("defaults to the contract's topic names, 3 partitions, replication 1", () => {
    expect(parse([])).toMatchObject({
      kind: "ok",
      config: {
        brokers: "localhost:19092",
        partitions: 3,
        replicationFactor: 1,
        timeoutMs: 30_000,
        inputTopic: "records_to_be_deleted",
        outputTopic: "records_that_were_deleted",
        deadLetterTopic: "records_to_be_deleted_dlq",
      },
    });
  });

  it("reads environment variables when flags are absent, and flags win", () => {
    const parsed = parse(["--partitions", "6"], { TOPIC_PARTITIONS: "2", INPUT_TOPIC: "in" });
    expect(parsed).toMatchObject({ kind: "ok", config: { partitions: 6, inputTopic: "in" } });
  });

  it.each([
    [["--partitions", "0"], "--partitions"],
    [["--replication-factor", "x"], "--replication-factor"],
    [["--timeout-ms", "-5"], "--timeout-ms"],
    [["--input-topic", "bad topic"], "--input-topic"],
  ])("rejects %j naming %s", (argv, flag) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toContain(flag);
  });
});
