export interface ShutdownStep {
  name: string;
  /** Given the time it may take; should finish within it (it is abandoned after it anyway). */
  run: (budgetMs: number) => Promise<unknown>;
  /** The most this step may take of what is left (default: all of it). */
  maxMs?: number;
}

export type StepOutcome = "done" | "failed" | "timed-out";

/**
 * Runs the steps one after the other, each bounded by its own limit and by what is left of the
 * total, so one stuck dependency cannot use up the time of the steps after it. A step that fails
 * or times out is reported and the next one runs.
 */
export async function runShutdownSteps(
  steps: readonly ShutdownStep[],
  totalMs: number,
  report: (step: string, outcome: StepOutcome, error?: unknown) => void = () => {},
): Promise<Record<string, StepOutcome>> {
  const deadline = Date.now() + totalMs;
  const outcomes: Record<string, StepOutcome> = {};
  for (const step of steps) {
    const budgetMs = Math.max(0, Math.min(step.maxMs ?? Number.POSITIVE_INFINITY, deadline - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timed-out">((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), budgetMs);
    });
    let error: unknown;
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => step.run(budgetMs))
        .then(
          () => "done" as const,
          (err: unknown) => {
            error = err;
            return "failed" as const;
          },
        ),
      timedOut,
    ]);
    clearTimeout(timer);
    outcomes[step.name] = outcome;
    if (outcome !== "done") report(step.name, outcome, error);
  }
  return outcomes;
}

/** What shutdown stops, in the order it must stop them. */
export interface WorkerParts {
  /** The consumer side: stop reading, let starts finish, commit, disconnect. */
  worker: { stop(timeoutMs: number): Promise<void> };
  resonate: { stop(): Promise<void> };
  /** Closes publishing to workflows (see PublishGate). */
  publishes: { close(timeoutMs: number): Promise<void> };
  producer: { flush(options: { timeout: number }): Promise<unknown>; disconnect(): Promise<unknown> };
}

/**
 * The worker's shutdown order: the consumer (commit what is safe; at most half the time), then
 * Resonate (held tasks go to another worker), then publishing and the producer, so a step that
 * publishes meanwhile has a live producer and a later one is held, not failed.
 */
export function workerShutdownSteps(parts: WorkerParts, totalMs: number): ShutdownStep[] {
  return [
    { name: "consumer", maxMs: Math.floor(totalMs / 2), run: (ms) => parts.worker.stop(ms) },
    { name: "resonate", maxMs: 2_000, run: () => parts.resonate.stop() },
    { name: "publishes", maxMs: 5_000, run: (ms) => parts.publishes.close(ms) },
    {
      name: "producer",
      maxMs: 5_000,
      run: async (ms) => {
        await parts.producer.flush({ timeout: Math.max(1, ms - 500) }).catch(() => {});
        await parts.producer.disconnect();
      },
    },
  ];
}
