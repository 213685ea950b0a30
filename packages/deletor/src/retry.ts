export class StoppedError extends Error {
  override readonly name = "StoppedError";
}

export interface RetryOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Checked before every attempt and while waiting: once true, retrying stops with StoppedError. */
  isStopped: () => boolean;
  onError: (error: unknown, attempt: number, nextDelayMs: number) => void;
}

/**
 * Retries until it succeeds or the worker stops. Used where giving up would lose a record
 * (starting its workflow, dead-lettering it): its offset stays uncommitted meanwhile, so the
 * partition's commit position waits and the in-flight bound pauses consumption.
 */
export async function retryUntilStopped<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  // Never zero: a zero delay would double to zero and retry a refusing server in a tight loop.
  let delay = Math.max(1, options.initialDelayMs);
  for (let attempt = 1; ; attempt++) {
    if (options.isStopped()) throw new StoppedError("stopped before the work succeeded");
    try {
      return await work();
    } catch (error) {
      options.onError(error, attempt, delay);
      await sleepUnlessStopped(delay, options.isStopped);
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}

async function sleepUnlessStopped(ms: number, isStopped: () => boolean): Promise<void> {
  const step = 100;
  for (let waited = 0; waited < ms && !isStopped(); waited += step) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(step, ms - waited)));
  }
}
