// Child processes: the worker (its dist/main.js) or a baseline consumer, with its stdout log
// lines parsed, and CPU time read from /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";

/** One parsed JSON log line of a child. */
export type LogLine = Record<string, unknown> & { event?: unknown };

export interface NodeProcess {
  child: ChildProcess;
  pid: number | undefined;
  /** Calls `onLine` with every parsed line until the returned function is called. */
  follow(onLine: (event: LogLine) => void): () => void;
  /** Resolves with the first line (from now on) the predicate accepts. */
  waitFor(predicate: (event: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** SIGKILL, then waits for the exit. */
  stop(): Promise<void>;
}

interface Listener {
  line(event: LogLine): void;
  fail(error: Error): void;
}

/** A Node process whose stdout log lines are parsed (stderr goes to ours). */
export function startNodeProcess(
  entry: string,
  {
    env,
    nodeArgs = [],
    name = "child",
  }: { env: Record<string, string>; nodeArgs?: readonly string[]; name?: string },
): NodeProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const listeners = new Set<Listener>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const l of listeners) l.fail(new Error(`${name} exited (${signal ?? code})`));
      resolve();
    }),
  );
  createInterface({ input: child.stdout }).on("line", (line) => {
    let event: LogLine;
    try {
      event = JSON.parse(line) as LogLine;
    } catch {
      return; // not a log line
    }
    if (typeof event !== "object" || event === null) return;
    for (const l of listeners) l.line(event);
  });
  return {
    child,
    pid: child.pid,
    follow(onLine) {
      const l: Listener = { line: onLine, fail: () => {} };
      listeners.add(l);
      return () => {
        listeners.delete(l);
      };
    },
    waitFor(predicate, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        const l: Listener = {
          line: (event) => {
            if (!predicate(event)) return;
            clearTimeout(timer);
            listeners.delete(l);
            resolve(event);
          },
          fail: (error) => {
            clearTimeout(timer);
            listeners.delete(l);
            reject(error);
          },
        };
        if (exited) l.fail(new Error(`${name} has exited`));
        else listeners.add(l);
      });
    },
    async stop() {
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
}

/** Resolves once the child has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A process's name and CPU seconds so far (user + system), from /proc/<pid>/stat. */
export function parseProcStat(stat: string): { name: string; cpu: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    // utime and stime, fields 14 and 15 of the whole line, in clock ticks.
    cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
  };
}

/** CPU seconds a process has used so far (Linux /proc); undefined when it cannot be read. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, "utf8")).cpu;
  } catch {
    return undefined;
  }
}
