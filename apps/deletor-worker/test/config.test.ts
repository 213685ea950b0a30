import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";

describe("worker configuration", () => {
  it("defaults to the compose broker port and the in-process Resonate", () => {
    const result = parseOptions(workerCli, [], {});
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config.brokers).toBe("localhost:19092");
    expect(result.config.resonateUrl).toBeUndefined();
    expect(result.config.batchSleepMs).toBeUndefined();
    expect(result.config.simFixedBatches.size).toBe(0);
  });

  it("reads a Resonate server URL and fixed-batch records from the environment", () => {
    const result = parseOptions(workerCli, [], {
      RESONATE_URL: "http://resonate:8001",
      SIM_FIXED_BATCHES: "long-1=30, other=2",
    });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config.resonateUrl).toBe("http://resonate:8001");
    expect([...result.config.simFixedBatches]).toEqual([
      ["long-1", 30],
      ["other", 2],
    ]);
  });

  it("namespaces promise ids under 'deletion' unless told otherwise, and reads the ids to fail once", () => {
    const defaults = parseOptions(workerCli, [], {});
    expect(defaults.kind === "ok" && defaults.config.promisePrefix).toBe("deletion");
    expect(defaults.kind === "ok" && defaults.config.simFailIds.size).toBe(0);
    const result = parseOptions(workerCli, ["--promise-prefix", "acme/deletion"], { SIM_FAIL_IDS: "a, b-2" });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config.promisePrefix).toBe("acme/deletion");
    expect([...result.config.simFailIds]).toEqual(["a", "b-2"]);
  });

  it.each([
    [["--promise-prefix", "a:b"], {}, /--promise-prefix/],
    [[], { RESONATE_PROMISE_PREFIX: "/deletion" }, /RESONATE_PROMISE_PREFIX/],
    [[], { SIM_FAIL_IDS: "ok,not ok" }, /"not ok" is not a record id/],
    [["--max-in-flight", "0"], {}, /--max-in-flight/],
    [[], { RESONATE_URL: "resonate:8001" }, /RESONATE_URL = "resonate:8001": must be an http\(s\) URL/],
    [[], { SIM_TRANSIENT_ERROR_RATE: "2" }, /SIM_TRANSIENT_ERROR_RATE/],
    [[], { SIM_FIXED_BATCHES: "x=0" }, /"x=0" is not <record-id>=<batches ≥ 1>/],
    [["--log-level", "loud"], {}, /--log-level/],
    [["--bogus"], {}, /bogus/],
    [[], { RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm" }, /needs a key: .*RESONATE_ENCRYPTION_KEY_FILE/],
    [[], { RESONATE_TOKEN: "a.b.c", RESONATE_TOKEN_FILE: "/dev/null" }, /RESONATE_TOKEN_FILE/],
  ])("rejects %j %j naming the setting", (argv, env, pattern) => {
    const result = parseOptions(workerCli, argv, env);
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(pattern);
  });
});

describe("deletor-worker broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
    };
    expect(parseOptions(workerCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(workerCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});
