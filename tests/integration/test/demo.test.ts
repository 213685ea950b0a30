import { existsSync } from "node:fs";
import { DeletionCompletedSchema, decodeMessage, TOPICS } from "@deletion/contracts";
import type { DemoSummary } from "@deletion/demo";
import { describe, expect, inject, it } from "vitest";
import { readTopic, runApp } from "../support/index.js";

interface DemoJson extends DemoSummary {
  runId: string;
  finished: boolean;
}

const demoJson = (stdout: string): DemoJson => {
  const line = stdout.split("\n").findLast((l) => l.startsWith('{"runId"'));
  if (!line) throw new Error(`no JSON summary in the demo's output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as DemoJson;
};

describe("pnpm demo", () => {
  it("runs to the end on the test broker and its summary matches the completion topic", async () => {
    const brokers = inject("kafkaBrokers");
    const run = await runApp(
      "demo",
      ["-n", "10", "--batch-sleep-ms", "200", "--seed", "4", "--json"],
      {
        KAFKA_BROKERS: brokers,
        RESONATE_URL: undefined,
      },
      { timeoutMs: 180_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const summary = demoJson(run.stdout);
    expect(summary).toMatchObject({ finished: true, records: 10, completed: 10, failed: 0 });
    expect(summary.inputOrder).toHaveLength(10);
    expect(new Set(summary.completionOrder)).toEqual(new Set(summary.inputOrder));
    expect(run.stdout).toContain("records that overtook the first one:");

    const ours = (await readTopic(brokers, TOPICS.deletionCompletions)).flatMap((m) => {
      const d = decodeMessage(DeletionCompletedSchema, m.value);
      return d.ok && d.value.recordId.startsWith(`${summary.runId}-`)
        ? [{ ...d.value, at: m.partition }]
        : [];
    });
    expect(ours).toHaveLength(summary.completed);
    expect(new Set(ours.map((c) => c.recordId))).toEqual(new Set(summary.completionOrder));
    expect(ours.reduce((sum, c) => sum + c.batches, 0)).toBe(summary.totalBatches);
    // The demo saw each completion partition in its order: within a partition, orders agree.
    for (const partition of new Set(ours.map((c) => c.at))) {
      const onTopic = ours.filter((c) => c.at === partition).map((c) => c.recordId);
      expect(summary.completionOrder.filter((id) => onTopic.includes(id))).toEqual(onTopic);
    }
  });

  it("refuses several workers without a Resonate server (exit 2)", async () => {
    const run = await runApp("demo", ["--workers", "2"], { RESONATE_URL: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs a Resonate server/);
  });

  it("starts its own broker when none is given and leaves no process or temp dir behind after Ctrl-C", async () => {
    const { spawn } = await import("node:child_process");
    const { appEntry, appEnv } = await import("../support/index.js");
    const child = spawn(process.execPath, [appEntry("demo"), "-n", "5", "--batch-sleep-ms", "5000"], {
      env: appEnv({ KAFKA_BROKERS: undefined, RESONATE_URL: undefined }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!/producing 5 records/.test(stderr) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(stderr).toMatch(/starting a local broker/);
    const workerPid = Number(/worker 1 started \(pid (\d+)\)/.exec(stderr)?.[1]);
    child.kill("SIGINT");
    expect(await exited).toBe(130);

    const brokerDir = /local-stack-kafka-[A-Za-z0-9]+/.exec(stderr)?.[0];
    expect(() => process.kill(workerPid, 0)).toThrow();
    if (brokerDir) expect(existsSync(`/tmp/${brokerDir}`)).toBe(false);
  });
});
