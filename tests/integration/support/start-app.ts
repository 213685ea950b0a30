import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { appEnv, type EnvOverrides } from "./app-env.js";
import { type LogLine, parseLogLine } from "./log-lines.js";
import { appEntry, repoRoot } from "./repo-root.js";

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningApp {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** JSON log lines from stdout so far, in order. */
  readonly logs: readonly LogLine[];
  stdout(): string;
  stderr(): string;
  /** Calls `listener` for every JSON log line from now on; returns the unsubscribe function. */
  onLog(listener: (line: LogLine) => void): () => void;
  /** The first log line (already seen or still to come) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<AppExit>;
  /** Sends `signal`, then SIGKILL if it is still running after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<AppExit>;
}

const running = new Set<RunningApp>();

// A failed test must not leave app processes behind.
process.once("exit", () => {
  for (const app of running) app.child.kill("SIGKILL");
});

/** Starts a long-running app (say, the worker) and follows its log as it runs. */
export function startApp(appName: string, args: readonly string[] = [], env: EnvOverrides = {}): RunningApp {
  const child = spawn(process.execPath, [appEntry(appName), ...args], {
    cwd: repoRoot,
    env: appEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  let stdout = "";
  let stderr = "";
  createInterface({ input: child.stdout }).on("line", (line) => {
    stdout += `${line}\n`;
    const parsed = parseLogLine(line);
    if (!parsed) return;
    logs.push(parsed);
    for (const listener of listeners) listener(parsed);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<AppExit>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });

  const app: RunningApp = {
    child,
    logs,
    stdout: () => stdout,
    stderr: () => stderr,
    onLog(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitForLog(predicate, timeoutMs = 60_000) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        let settled = false;
        const finish = (settle: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          unsubscribe();
          settle();
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `${appName}: no matching log line within ${timeoutMs} ms\n--- stderr ---\n${stderr.slice(-4000)}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const unsubscribe = app.onLog((line) => {
          if (predicate(line)) finish(() => resolve(line));
        });
        void exited.then((exit) => {
          const late = logs.find(predicate);
          finish(() =>
            late
              ? resolve(late)
              : reject(
                  new Error(
                    `${appName} exited (${exit.code ?? exit.signal}) before a matching log line\n--- stderr ---\n${stderr.slice(-4000)}`,
                  ),
                ),
          );
        });
      });
    },
    exited,
    async stop(signal = "SIGTERM", graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      running.delete(app);
      return exit;
    },
  };
  running.add(app);
  void exited.then(() => running.delete(app));
  return app;
}

/** Stops every app this test file started and has not stopped; for afterEach/afterAll. */
export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map((app) => app.stop("SIGTERM", 10_000)));
}
