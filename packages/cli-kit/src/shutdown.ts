import { hardExit } from "./hard-exit.js";

export interface ShutdownOptions {
  /** Graceful work to do once: stop taking work, finish what is in flight, commit, disconnect. */
  onShutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** After this long the process exits anyway (code 1), so a stuck dependency cannot hang it. */
  timeoutMs: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * First SIGINT/SIGTERM: graceful shutdown, then exit 0. Second signal: exit at once (130). The
 * returned function triggers the same graceful path from code (e.g. a fatal consumer error).
 */
export function handleShutdownSignals(options: ShutdownOptions): (reason: string) => Promise<void> {
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (shuttingDown) return shuttingDown;
    options.log("shutting down", { reason, timeoutMs: options.timeoutMs });
    const timer = setTimeout(() => {
      options.log("graceful shutdown timed out; exiting", { timeoutMs: options.timeoutMs });
      hardExit(1);
    }, options.timeoutMs);
    timer.unref();
    shuttingDown = options.onShutdown(signal).finally(() => clearTimeout(timer));
    return shuttingDown;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.log("second signal; exiting now", { signal });
      hardExit(130);
    }
    void shutdown(signal, signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return (reason) => shutdown(reason);
}
