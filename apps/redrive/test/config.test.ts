import { parseOptions, usage } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { redriveCli } from "../src/config.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(redriveCli, argv, env);

describe("redrive flags", () => {
  it("defaults to re-driving failed deletions from the dead-letter topic to the request topic", () => {
    const parsed = parse([]);
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect(parsed.config).toMatchObject({
      brokers: "localhost:19092",
      deadLetterTopic: "records_to_be_deleted_dlq",
      inputTopic: "records_to_be_deleted",
      groupId: "deletion-redrive",
      dryRun: false,
      fromBeginning: false,
    });
    expect([...parsed.config.reasons]).toEqual(["WORKFLOW_FAILED"]);
  });

  it("takes a list of reasons, switches, and environment variables when flags are absent", () => {
    const parsed = parse(["--reason", "WORKFLOW_FAILED, FOREIGN_PROMISE", "--dry-run", "--from-beginning"], {
      KAFKA_BROKERS: "k:9092",
      DEAD_LETTER_TOPIC: "dlq",
    });
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect([...parsed.config.reasons]).toEqual(["WORKFLOW_FAILED", "FOREIGN_PROMISE"]);
    expect(parsed.config).toMatchObject({
      dryRun: true,
      fromBeginning: true,
      brokers: "k:9092",
      deadLetterTopic: "dlq",
    });
    const fromEnv = parse([], { REDRIVE_REASONS: "FOREIGN_PROMISE" });
    expect(fromEnv.kind === "ok" && [...fromEnv.config.reasons]).toEqual(["FOREIGN_PROMISE"]);
  });

  it.each([
    [["--reason", "NOPE"], "--reason"],
    [["--reason", ","], "--reason"],
    [["--timeout-ms", "0"], "--timeout-ms"],
    [["--group-id", ""], "--group-id"],
  ])("rejects %j naming %s", (argv, flag) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toContain(flag);
  });

  it("lists every reason code and says what re-running does in --help", () => {
    const text = usage(redriveCli);
    expect(text).toMatch(/^Usage: redrive /);
    expect(text).toContain("WORKFLOW_FAILED, FOREIGN_PROMISE");
    expect(text).toContain("Re-running is safe");
  });
});

describe("redrive broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
    };
    expect(parseOptions(redriveCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(redriveCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});
