import { spawn } from "node:child_process";
import { appEnv, type EnvOverrides } from "./app-env.js";
import { appEntry, repoRoot } from "./repo-root.js";

export interface AppRun {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when it was killed for running past timeoutMs. */
  timedOut: boolean;
}

export interface RunAppOptions {
  /** SIGKILL after this long (default 60 s); the run then reports timedOut. */
  timeoutMs?: number;
}

/** Runs `node apps/<appName>/bin/<appName>.mjs args...` to completion, capturing its output. */
export function runApp(
  appName: string,
  args: readonly string[] = [],
  env: EnvOverrides = {},
  { timeoutMs = 60_000 }: RunAppOptions = {},
): Promise<AppRun> {
  const child = spawn(process.execPath, [appEntry(appName), ...args], {
    cwd: repoRoot,
    env: appEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // "close", not "exit": only then has all output been read.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
