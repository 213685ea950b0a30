import { type Clock, systemClock } from "./clock.js";
import { classifyPublishError, type PublishError } from "./publish-errors.js";

export interface PublishRetryOptions {
  /** Wait after the first transient failure; doubles up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * Transient failures for this long count as a refusal for good (reason GAVE_UP): a publish
   * that cannot succeed must not hold its record's commit point without bound.
   */
  giveUpAfterMs: number;
  /** Checked before every attempt and while waiting: once true, retrying ends with "stopped". */
  isStopped?: () => boolean;
  onTransient?: (error: PublishError, attempt: number, nextDelayMs: number) => void;
  clock?: Clock;
}

export type PublishResult<T> =
  | { status: "published"; value: T }
  | { status: "refused"; error: PublishError; attempts: number }
  | { status: "stopped" };

/** Reason of a refusal that is a transient failure which outlasted giveUpAfterMs. */
export const GAVE_UP = "GAVE_UP";

const SLEEP_STEP_MS = 100;

/**
 * Sends until it succeeds, the broker refuses for good, transient failures outlast the give-up
 * bound, or the caller stops. Never throws: the outcome is a value the caller must look at.
 */
export async function publishWithRetry<T>(
  send: () => Promise<T>,
  options: PublishRetryOptions,
): Promise<PublishResult<T>> {
  const clock = options.clock ?? systemClock;
  const isStopped = options.isStopped ?? (() => false);
  const started = clock.now();
  // Never zero: a zero delay would double to zero and resend in a tight loop.
  let delay = Math.max(1, options.initialDelayMs);
  for (let attempt = 1; ; attempt++) {
    if (isStopped()) return { status: "stopped" };
    let error: PublishError;
    try {
      return { status: "published", value: await send() };
    } catch (thrown) {
      error = classifyPublishError(thrown);
    }
    if (error.permanent) return { status: "refused", error, attempts: attempt };
    const elapsed = clock.now() - started;
    if (elapsed + delay > options.giveUpAfterMs) {
      return {
        status: "refused",
        error: {
          ...error,
          permanent: true,
          reason: GAVE_UP,
          message: `still failing after ${attempt} attempts in ${Math.round(elapsed)} ms: ${error.message} (${error.reason})`,
        },
        attempts: attempt,
      };
    }
    options.onTransient?.(error, attempt, delay);
    for (let waited = 0; waited < delay && !isStopped(); waited += SLEEP_STEP_MS) {
      await clock.sleep(Math.min(SLEEP_STEP_MS, delay - waited));
    }
    delay = Math.min(delay * 2, options.maxDelayMs);
  }
}
