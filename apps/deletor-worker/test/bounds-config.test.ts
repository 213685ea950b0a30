import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";

describe("worker bounds and timeouts", () => {
  it("defaults: 1,000 running workflows, a 5 s commit timeout, 10 s to reach the brokers", () => {
    const result = parseOptions(workerCli, [], {});
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config.maxRunning).toBe(1_000);
    expect(result.config.commitTimeoutMs).toBe(5_000);
    expect(result.config.connectTimeoutMs).toBe(10_000);
    expect(result.config.inProcessFinishedKept).toBe(50_000);
  });

  it("reads them from flags and the environment", () => {
    const result = parseOptions(workerCli, ["--max-running", "50"], {
      COMMIT_TIMEOUT_MS: "2000",
      CONNECT_TIMEOUT_MS: "3000",
      IN_PROCESS_FINISHED_KEPT: "500",
    });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config).toMatchObject({
      maxRunning: 50,
      commitTimeoutMs: 2_000,
      connectTimeoutMs: 3_000,
      inProcessFinishedKept: 500,
    });
  });

  it.each([
    [["--max-running", "0"], {}, /--max-running/],
    [[], { MAX_RUNNING: "many" }, /MAX_RUNNING/],
    [["--commit-timeout-ms", "-1"], {}, /--commit-timeout-ms/],
    [[], { CONNECT_TIMEOUT_MS: "0" }, /CONNECT_TIMEOUT_MS/],
    [[], { IN_PROCESS_FINISHED_KEPT: "1.5" }, /IN_PROCESS_FINISHED_KEPT/],
  ])("rejects %j %j naming the setting", (argv, env, pattern) => {
    const result = parseOptions(workerCli, argv, env);
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(pattern);
  });
});
