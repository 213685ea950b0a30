import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";
import { batchSizesOf, batchSleepMsOf, maxConcurrentBatchesOf, pacingModeOf } from "../src/pacing-config.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(workerCli, argv, env);

describe("pacing configuration", () => {
  it("paces the postgres store adaptively with no per-record pause, and the simulated one as before", () => {
    const postgres = parse(["--store", "postgres"]);
    expect(postgres.kind).toBe("ok");
    if (postgres.kind !== "ok") return;
    expect(pacingModeOf(postgres.config)).toBe("adaptive");
    expect(batchSleepMsOf(postgres.config)).toBe(0);
    // Batches start at --batch-size and may grow to 5,000 rows (the target time keeps them short).
    expect(batchSizesOf(postgres.config)).toEqual({ min: 50, max: 5_000, initial: 500 });
    const small = parse(["--store", "postgres", "--batch-size", "4"]);
    expect(small.kind === "ok" && batchSizesOf(small.config)).toEqual({ min: 4, max: 5_000, initial: 4 });
    const large = parse(["--store", "postgres", "--batch-size", "8000"]);
    expect(large.kind === "ok" && batchSizesOf(large.config)).toEqual({
      min: 50,
      max: 8_000,
      initial: 8_000,
    });
    const bounded = parse(["--store", "postgres", "--max-batch-size", "500"]);
    expect(bounded.kind === "ok" && batchSizesOf(bounded.config)).toEqual({
      min: 50,
      max: 500,
      initial: 500,
    });
    expect(postgres.config).toMatchObject({
      targetBatchMs: 250,
      replicaLag: "primary",
      maxReplicaLagMs: 1_500,
      autovacuumSignal: "on",
      controlTable: "deletion_pacing_control",
    });
    // One batch at a time under adaptive pacing; fixed keeps the pool size.
    expect(maxConcurrentBatchesOf(postgres.config)).toBe(1);
    const fixed = parse(["--store", "postgres", "--pacing", "fixed"]);
    expect(fixed.kind === "ok" && maxConcurrentBatchesOf(fixed.config)).toBe(10);
    const simulated = parse([]);
    expect(simulated.kind === "ok" && pacingModeOf(simulated.config)).toBe("fixed");
    expect(simulated.kind === "ok" && batchSleepMsOf(simulated.config)).toBe(5_000);
  });

  it("keeps an explicit pause and mode, from flags or the environment", () => {
    const result = parse(["--store", "postgres", "--batch-sleep-ms", "100"], {
      PACING: "fixed",
      MAX_CONCURRENT_BATCHES: "4",
      PACING_CONTROL_TABLE: "none",
    });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(pacingModeOf(result.config)).toBe("fixed");
    expect(batchSleepMsOf(result.config)).toBe(100);
    expect(maxConcurrentBatchesOf(result.config)).toBe(4);
    expect(result.config.controlTable).toBeNull();
  });

  it.each([
    [["--pacing", "fast"], /--pacing \/ PACING/],
    [["--max-concurrent-batches", "0"], /--max-concurrent-batches \/ MAX_CONCURRENT_BATCHES/],
    [["--target-batch-ms", "0"], /--target-batch-ms \/ TARGET_BATCH_MS/],
    [
      ["--min-batch-size", "600", "--max-batch-size", "500"],
      /--min-batch-size \/ MIN_BATCH_SIZE \(600\) is above --max-batch-size/,
    ],
    [
      ["--store", "postgres", "--batch-size", "20", "--min-batch-size", "30", "--max-batch-size", "100"],
      /--batch-size \/ DELETE_BATCH_SIZE \(20\) .* within --min-batch-size/,
    ],
    [["--replica-lag", "replica"], /--replica-lag \/ REPLICA_LAG replica needs --replica-url/],
    [["--replica-url", "postgres://r/db"], /--replica-url \/ REPLICA_DATABASE_URL is set but --replica-lag/],
    [["--control-table", "bad name"], /--control-table \/ PACING_CONTROL_TABLE/],
  ])("refuses %j naming the option", (argv, message) => {
    const result = parse(argv);
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message).toMatch(message);
  });

  it("never shows the replica URL, which may carry a password", () => {
    const result = parse(["--replica-url", "postgres://u:hunter2@r/db"]);
    expect(result.kind === "error" && result.message).not.toMatch(/hunter2/);
  });
});
