/**
 * Runs `work` now and then every `intervalMs` after the previous run ended (runs never overlap,
 * so a slow probe cannot pile up). stop() ends it.
 */
export function poll(work: () => Promise<void>, intervalMs: number): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    work()
      .catch(() => {})
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs).unref();
      });
  };
  run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
