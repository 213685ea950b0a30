import { describe, expect, inject, it } from "vitest";
import { runApp } from "../support/index.js";

describe("pnpm demo --store postgres", () => {
  it("deletes the real rows it seeded for every requested record", async () => {
    const run = await runApp(
      "demo",
      ["--store", "postgres", "-n", "8", "--batch-sleep-ms", "100", "--json"],
      { KAFKA_BROKERS: inject("kafkaBrokers"), RESONATE_URL: undefined, DATABASE_URL: inject("databaseUrl") },
      { timeoutMs: 180_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/\[demo\] seeded 8 customers, \d+ orders, \d+ order lines/);
    expect(run.stderr).toContain(
      "[demo] rows left of the requested records: order_lines 0, orders 0, customers 0",
    );
    const summary = JSON.parse(run.stdout.split("\n").findLast((l) => l.startsWith('{"runId"')) ?? "{}");
    expect(summary).toMatchObject({ finished: true, records: 8, completed: 8, failed: 0 });
  });
});
