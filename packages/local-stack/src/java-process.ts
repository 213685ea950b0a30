import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";

export interface JavaRun {
  java: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** Starts java with its output appended to a file, so no pipe ties it to this process. */
export function spawnJava({ java, args, env, logFile }: JavaRun): ChildProcess {
  return spawnLogged(java, args, env, logFile);
}

/** Starts a server program with its output appended to a file (see spawnJava). */
export function spawnLogged(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): ChildProcess {
  const fd = openSync(logFile, "a");
  try {
    return spawn(command, args, { env, stdio: ["ignore", fd, fd], detached: false });
  } finally {
    // The child has its own copy of the descriptor now.
    closeSync(fd);
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once the child has exited, false if it is still running after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/**
 * Waits for a short-lived child to finish. Resolves with its exit code, or with the error
 * if it could not be started; kills it and resolves with an error after `ms`.
 */
export function runToCompletion(child: ChildProcess, ms: number): Promise<number | Error> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(new Error(`still running after ${ms / 1000} s`));
    }, ms);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve(err);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? new Error(`killed by ${signal}`));
    });
  });
}

/** SIGTERM first so the server shuts down cleanly, SIGKILL if it has not exited after `graceMs`. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child)) return;
  child.kill("SIGTERM");
  if (await waitForExit(child, graceMs)) return;
  child.kill("SIGKILL");
  if (!(await waitForExit(child, 5_000))) {
    throw new Error(`${child.spawnfile} (pid ${child.pid}) survived SIGKILL for 5 s`);
  }
}

export async function tailOf(file: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n") || "(empty)";
  } catch {
    return "(no log written)";
  }
}
