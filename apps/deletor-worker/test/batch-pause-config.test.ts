import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";

describe("--batch-pause", () => {
  it("throttles by default", () => {
    const result = parseOptions(workerCli, [], {});
    expect(result.kind === "ok" && result.config.batchPause).toBe("throttle");
  });

  it("takes durable from the flag or BATCH_PAUSE, the flag winning", () => {
    const fromEnv = parseOptions(workerCli, [], { BATCH_PAUSE: "durable" });
    expect(fromEnv.kind === "ok" && fromEnv.config.batchPause).toBe("durable");
    const flagWins = parseOptions(workerCli, ["--batch-pause", "throttle"], { BATCH_PAUSE: "durable" });
    expect(flagWins.kind === "ok" && flagWins.config.batchPause).toBe("throttle");
  });

  it.each([
    [["--batch-pause", "sleep"], {}, /--batch-pause/],
    [[], { BATCH_PAUSE: "Durable" }, /BATCH_PAUSE/],
  ])("rejects %j %j naming the setting", (argv, env, pattern) => {
    const result = parseOptions(workerCli, argv, env);
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(pattern);
  });
});
