import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { Socket } from "node:net";

interface Guarded {
  child: ChildProcess;
  dir: string;
}

const live = new Set<Guarded>();
let exitHookInstalled = false;

// Runs inside a tiny sidecar Node process that holds the read end of a pipe from us. When
// we die in any way, SIGKILL included, the pipe closes and it takes the broker down with
// us and deletes its temp dir; `process.on("exit")` alone misses signals and crashes.
const WATCHDOG = `
const { rmSync } = require("node:fs");
const [pid, dir] = [Number(process.argv[1]), process.argv[2]];
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
const cleanUp = () => { try { if (dir) rmSync(dir, { recursive: true, force: true }); } catch {} process.exit(0); };
const reap = () => {
  try { process.kill(pid, "SIGTERM"); } catch { cleanUp(); }
  const poll = setInterval(() => { if (!alive()) cleanUp(); }, 200);
  setTimeout(() => { clearInterval(poll); try { process.kill(pid, "SIGKILL"); } catch {} setTimeout(cleanUp, 500); }, 10000);
};
process.stdin.on("end", reap);
process.stdin.on("error", reap);
process.stdin.resume();
`;

function onParentExit(): void {
  for (const { child, dir } of live) {
    try {
      child.kill("SIGKILL");
    } catch {}
    try {
      if (dir) rmSync(dir, { recursive: true, force: true });
    } catch {}
  }
}

/**
 * Ties the broker's lifetime to this process: killed synchronously on a normal exit, and
 * by the watchdog sidecar if this process dies without running exit handlers. Returns the
 * function that undoes it, for a regular stop(). `dir` is deleted with it; a kept data folder is
 * not given.
 */
export function guardChild(child: ChildProcess, dir: string | undefined): () => void {
  if (!exitHookInstalled) {
    process.on("exit", onParentExit);
    exitHookInstalled = true;
  }
  const entry: Guarded = { child, dir: dir ?? "" };
  live.add(entry);

  const watchdog =
    child.pid === undefined
      ? undefined
      : spawn(process.execPath, ["-e", WATCHDOG, String(child.pid), dir ?? ""], {
          stdio: ["pipe", "ignore", "ignore"],
          env: {},
        });
  watchdog?.on("error", () => {});
  watchdog?.unref();
  // Neither the sidecar nor its pipe may keep this process alive.
  if (watchdog?.stdin instanceof Socket) watchdog.stdin.unref();

  return () => {
    live.delete(entry);
    if (watchdog && watchdog.exitCode === null) watchdog.kill("SIGKILL");
  };
}
