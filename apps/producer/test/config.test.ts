import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { producerCli } from "../src/config.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(producerCli, argv, env);

describe("producer flags", () => {
  it("defaults to 25 records on the request topic, unpaced, with a random id prefix", () => {
    const parsed = parse([]);
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect(parsed.config).toMatchObject({
      count: 25,
      brokers: "localhost:19092",
      topic: "records_to_be_deleted",
      rate: 0,
      verbose: false,
      idPrefix: undefined,
    });
  });

  it("takes -n and -v, and environment variables when flags are absent", () => {
    const parsed = parse(["-n", "1000", "-v"], { KAFKA_BROKERS: "k:9092", PRODUCE_RATE: "50" });
    expect(parsed).toMatchObject({
      kind: "ok",
      config: { count: 1000, verbose: true, brokers: "k:9092", rate: 50 },
    });
  });

  it.each([
    [["--count", "abc"], "--count"],
    [["-n", "0"], "--count"],
    [["--rate", "-1"], "--rate"],
    [["--id-prefix", "-bad"], "--id-prefix"],
    [["--id-prefix", "has:colon"], "--id-prefix"],
  ])("rejects %j naming %s", (argv, flag) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toContain(flag);
  });
});

describe("producer broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
    };
    expect(parseOptions(producerCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(producerCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});
