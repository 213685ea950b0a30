import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "@deletion/local-stack";
import { createPool } from "@deletion/store-postgres";
import { afterEach, describe, expect, it } from "vitest";
import { produceInOrder } from "../fixtures/pipeline.js";
import { createTopic, readTopic, repoRoot } from "../support/index.js";

interface RunningStack {
  child: ChildProcess;
  env: Record<string, string>;
  stop(): Promise<number | null>;
}

const stacks = new Set<RunningStack>();
afterEach(async () => {
  for (const stack of stacks) await stack.stop();
  stacks.clear();
});

/** `./pnpmw stack` as a person runs it: resolves once it printed the three settings. */
async function startStack(args: string[]): Promise<RunningStack> {
  const child = spawn(process.execPath, [join(repoRoot, "packages/local-stack/bin/stack.mjs"), ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const env: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stack did not start within 120 s\n${stderr}`)),
      120_000,
    );
    void exited.then((code) => reject(new Error(`the stack exited (${code})\n${stderr}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) env[match[1]] = match[2];
      if (env.KAFKA_BROKERS && env.RESONATE_URL && env.DATABASE_URL) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const stack: RunningStack = {
    child,
    env,
    stop: async () => {
      stacks.delete(stack);
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
  stacks.add(stack);
  return stack;
}

async function resonate(url: string, kind: string, data: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind, head: { corrId: `c-${Date.now()}`, version: "2026-04-01" }, data }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: { promise?: { id?: string } } },
  };
}

describe("./pnpmw stack --data-dir", () => {
  it("keeps the broker's messages, the server's promises and the database's rows across a restart, on the same ports", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stack-test-"));
    // Run as root, PostgreSQL runs as the postgres user, who must be able to reach its folder.
    await chmod(dir, 0o755);
    try {
      const ports = [
        "--kafka-port",
        String(await freePort()),
        "--resonate-port",
        String(await freePort()),
        "--postgres-port",
        String(await freePort()),
      ];
      const first = await startStack(["--data-dir", dir, ...ports]);
      const { KAFKA_BROKERS: brokers, RESONATE_URL: resonateUrl, DATABASE_URL: databaseUrl } = first.env;
      await createTopic(brokers as string, "kept", 1);
      await produceInOrder(brokers as string, "kept", [{ key: "k1", value: "survives" }]);
      const created = await resonate(resonateUrl as string, "promise.create", {
        id: "kept-promise",
        timeoutAt: Date.now() + 3_600_000,
        param: { headers: {}, data: "" },
        tags: {},
      });
      expect(created.status).toBe(200);
      const pool = createPool({ connectionString: databaseUrl as string, max: 1 });
      await pool.query("CREATE TABLE kept (v text)");
      await pool.query("INSERT INTO kept VALUES ('survives')");
      await pool.end();
      expect(await first.stop()).toBe(0);

      const second = await startStack(["--data-dir", dir]);
      expect(second.env).toEqual(first.env);
      const messages = await readTopic(brokers as string, "kept", { expected: 1, timeoutMs: 60_000 });
      expect(messages.map((m) => [m.key, m.value?.toString()])).toEqual([["k1", "survives"]]);
      const found = await resonate(resonateUrl as string, "promise.get", { id: "kept-promise" });
      expect(found).toMatchObject({ status: 200, body: { data: { promise: { id: "kept-promise" } } } });
      const again = createPool({ connectionString: databaseUrl as string, max: 1 });
      expect((await again.query("SELECT v FROM kept")).rows).toEqual([{ v: "survives" }]);
      await again.end();
      expect(await second.stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
