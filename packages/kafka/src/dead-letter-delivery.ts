import type { DeadLetter } from "@deletion/contracts";
import { boundDeadLetter, minimalDeadLetter } from "./dead-letter.js";
import type { PublishError } from "./publish-errors.js";
import { type PublishRetryOptions, publishWithRetry } from "./publish-retry.js";

export interface DeadLetterDeliveryOptions extends PublishRetryOptions {
  /** Original key + value bytes a dead letter may carry (see boundDeadLetter). */
  maxOriginalBytes: number;
}

export type DeadLetterDelivery =
  | { status: "published"; deadLetter: DeadLetter }
  /** The complete dead letter was refused for good; the minimal one (no key, no value) went out. */
  | { status: "published-minimal"; deadLetter: DeadLetter; refused: PublishError }
  /** Both were refused for good: nothing about this record can be published. */
  | { status: "undeliverable"; refused: PublishError; minimalRefused: PublishError }
  | { status: "stopped" };

/**
 * The dead-letter policy: the dead letter (bounded in size), else the minimal one, else
 * "undeliverable" and the caller stops. Why: docs/decisions/publish-policy.md
 */
export async function deliverDeadLetter(
  send: (deadLetter: DeadLetter) => Promise<void>,
  deadLetter: DeadLetter,
  options: DeadLetterDeliveryOptions,
): Promise<DeadLetterDelivery> {
  const bounded = boundDeadLetter(deadLetter, options.maxOriginalBytes);
  const first = await publishWithRetry(() => send(bounded), options);
  if (first.status === "stopped") return first;
  if (first.status === "published") return { status: "published", deadLetter: bounded };

  const minimal = minimalDeadLetter(bounded, first.error);
  const second = await publishWithRetry(() => send(minimal), options);
  if (second.status === "stopped") return second;
  if (second.status === "published") {
    return { status: "published-minimal", deadLetter: minimal, refused: first.error };
  }
  return { status: "undeliverable", refused: first.error, minimalRefused: second.error };
}
