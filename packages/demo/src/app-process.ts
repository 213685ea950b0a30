import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface AppProcess {
  pid: number;
  /** Resolves with the exit code (or 128 + signal number style code for a signal). */
  exited: Promise<number>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs: number): Promise<number>;
}

/** `Event`: the shape of the app's log lines (JSON, so not checked: the apps are the project's own). */
export interface SpawnAppOptions<Event extends object = Record<string, unknown>> {
  mainPath: string;
  env: NodeJS.ProcessEnv;
  /** Each JSON log line the app writes (non-JSON lines are passed to onText). */
  onEvent: (event: Event & Record<string, unknown>) => void;
  onText?: (line: string) => void;
}

/** Runs one of the project's apps (a worker, the console) as a process and turns its JSON log lines into events. */
export function spawnApp<Event extends object = Record<string, unknown>>(
  options: SpawnAppOptions<Event>,
): AppProcess {
  const child: ChildProcess = spawn(process.execPath, [options.mainPath], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (!line.startsWith("{")) {
        options.onText?.(line);
        return;
      }
      try {
        options.onEvent(JSON.parse(line));
      } catch {
        options.onText?.(line);
      }
    });
  }
  return {
    pid: child.pid ?? -1,
    exited,
    stop: async (graceMs) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
