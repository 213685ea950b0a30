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
        requestsRetentionMs: 7 * 86_400_000,
        completionsRetentionMs: 7 * 86_400_000,
        deadLettersRetentionMs: 30 * 86_400_000,
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
    [["--dead-letters-retention-ms", "0"], "--dead-letters-retention-ms"],
  ])("rejects %j naming %s", (argv, flag) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toContain(flag);
  });
});

describe("topic-setup broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
    };
    expect(parseOptions(topicSetupCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(topicSetupCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});
