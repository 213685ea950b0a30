import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { demoCli } from "../src/config.js";

describe("demo configuration", () => {
  it("defaults to 25 records, one worker, one-second sleeps and its own broker", () => {
    const result = parseOptions(demoCli, [], {});
    expect(result).toMatchObject({
      kind: "ok",
      config: { count: 25, workers: 1, batchSleepMs: 1_000, partitions: 3, json: false },
    });
    if (result.kind === "ok") {
      expect(result.config.brokers).toBeUndefined();
      expect(result.config.resonateUrl).toBeUndefined();
    }
  });

  it("takes the broker and the Resonate server from the environment", () => {
    const result = parseOptions(demoCli, ["-n", "7"], {
      KAFKA_BROKERS: "localhost:19092",
      RESONATE_URL: "http://localhost:8001",
    });
    expect(result).toMatchObject({
      kind: "ok",
      config: { count: 7, brokers: "localhost:19092", resonateUrl: "http://localhost:8001" },
    });
  });

  it.each([
    [["-n", "0"], /--count/],
    [["-n", "many"], /--count/],
    [["--workers", "99"], /--workers/],
    [["--batch-sleep-ms", "-1"], /--batch-sleep-ms/],
  ])("rejects %j", (argv, pattern) => {
    const result = parseOptions(demoCli, argv, {});
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(pattern);
  });
});

describe("demo broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
      KAFKA_BROKERS: "kafka:9094",
    };
    expect(parseOptions(demoCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(demoCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});
