import { spawn } from "node:child_process";

/**
 * process.exit(code), guaranteed to end the process. Node's exit joins libuv's thread pool, and
 * a pool thread blocked inside librdkafka (say, on a broker that went away) makes that join wait
 * forever; from then on no JavaScript runs and only SIGKILL ends the process. So a detached
 * watchdog process is started first and sends SIGKILL if the exit has not finished in graceMs.
 */
export function hardExit(code: number, graceMs = 3_000): never {
  try {
    const watchdog = spawn(
      process.execPath,
      ["-e", `setTimeout(() => { try { process.kill(${process.pid}, "SIGKILL"); } catch {} }, ${graceMs});`],
      { detached: true, stdio: "ignore" },
    );
    watchdog.unref();
  } catch {
    // Without a watchdog the plain exit below is still the best we can do.
  }
  process.exit(code);
}

/**
 * An exception nothing caught would make Node exit through the same thread-pool join; report it
 * and leave through hardExit instead, so a crashed worker is never left hanging.
 */
export function exitHardOnUncaughtException(name: string): void {
  process.on("uncaughtException", (error) => {
    try {
      process.stderr.write(`${name}: uncaught exception: ${error.stack ?? String(error)}\n`);
    } catch {
      // stderr itself may be the broken pipe
    }
    hardExit(1);
  });
}
