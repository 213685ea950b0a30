import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppProcess, spawnApp } from "./app-process.js";

/** The console app's line once it listens (apps/console). */
const LISTENING = "console.listening";

export interface DemoConsoleOptions {
  mainPath: string;
  port: number;
  brokers: string;
  /** The same broker security the workers get, as environment variables. */
  securityEnv?: Record<string, string | undefined>;
  /** The workers' HTTP servers: the console shows their readiness. */
  workerUrls: string[];
  resonateUrl?: string | undefined;
}

export interface DemoConsole {
  url: string;
  /** The one-off token to log in with: made for this run, gone with it. */
  token: string;
  process: AppProcess;
  stop(): Promise<void>;
}

/**
 * Serves the deletion console next to the demo, on 127.0.0.1, with a token made for this run
 * (written to a file only this user can read, removed on stop). Resolves once it listens.
 */
export async function startDemoConsole(
  options: DemoConsoleOptions,
  timeoutMs = 60_000,
): Promise<DemoConsole> {
  const dir = mkdtempSync(join(tmpdir(), "demo-console-"));
  const token = randomBytes(32).toString("hex");
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const listening = Promise.withResolvers<string>();
  let lastError = "";
  const app = spawnApp({
    mainPath: options.mainPath,
    env: {
      ...process.env,
      KAFKA_BROKERS: options.brokers,
      ...options.securityEnv,
      CONSOLE_HOST: "127.0.0.1",
      CONSOLE_PORT: String(options.port),
      CONSOLE_TOKEN_FILE: tokenFile,
      CONSOLE_WORKER_URLS: options.workerUrls.join(","),
      ...(options.resonateUrl ? { RESONATE_URL: options.resonateUrl } : {}),
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
    },
    onEvent: (event) => {
      if (event.event === LISTENING && typeof event.url === "string") listening.resolve(event.url);
      if (typeof event.msg === "string" && Number(event.level) >= 50) lastError = event.msg;
    },
    onText: (line) => {
      lastError = line;
    },
  });
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const stop = async () => {
    await app.stop(10_000);
    removeDir();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      listening.promise,
      app.exited.then((code) => {
        throw new Error(`the console exited (${code}) before listening${lastError ? `: ${lastError}` : ""}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the console did not listen within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return { url, token, process: app, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
