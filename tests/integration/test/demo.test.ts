import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { DeletionCompletedSchema, decodeMessage, TOPICS } from "@deletion/contracts";
import type { DemoSummary } from "@deletion/demo";
import type { Browser } from "playwright-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import { launchChromium, logIn, requireChromium } from "../fixtures/console.js";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import { appEntry, appEnv, readTopic, runApp } from "../support/index.js";

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

  it.skipIf(!resonateServerUrl)(
    needsServer(
      "--console prints a URL and a token that log in; the page shows the run's workers ready and a record of the run done; it stays up until Ctrl-C, then exits 0",
    ),
    async () => {
      requireChromium();
      const child = spawn(
        process.execPath,
        [appEntry("demo"), "-n", "5", "--batch-sleep-ms", "100", "--console", "--console-port", "0"],
        {
          env: appEnv({ KAFKA_BROKERS: inject("kafkaBrokers"), RESONATE_URL: resonateServerUrl }),
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
      const stderr = textOf(child.stderr);
      try {
        const [, url] = await stderr.waitFor(/console: (http:\/\/127\.0\.0\.1:\d+)/);
        const [, token] = await stderr.waitFor(/console token \(for this run only\): ([0-9a-f]{64})/);
        const [, firstId] = await stderr.waitFor(/producing 5 records with ids (\S+) \.\./);
        await stderr.waitFor(/every record finished; the console stays up until Ctrl-C/);

        browser = await launchChromium();
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(url as string);
        await logIn(page, token as string);
        await page.locator('[data-testid="workers"] td', { hasText: "ready" }).first().waitFor();
        await page.goto(`${url}#/record/${encodeURIComponent(firstId as string)}`);
        await page.locator('[data-testid="record-facts"][data-state="done"]').waitFor();
      } finally {
        child.kill("SIGINT");
      }
      expect(await exited).toBe(0);
    },
  );
});

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

/** A stream's text so far, and a wait for a pattern in it (resolves with the match). */
function textOf(stream: NodeJS.ReadableStream, timeoutMs = 120_000) {
  let text = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    text += chunk;
  });
  return {
    waitFor: (pattern: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return false;
          clearTimeout(timer);
          stream.off("data", check);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          stream.off("data", check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; the output so far:\n${text.slice(-3000)}`));
        }, timeoutMs);
        if (!check()) stream.on("data", check);
      }),
  };
}
