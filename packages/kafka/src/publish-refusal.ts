import type { SourcePosition } from "@deletion/contracts";
import type { DeadLetterDelivery } from "./dead-letter-delivery.js";
import type { PublishError } from "./publish-errors.js";

/** A publish the broker refused for good (or that failed transiently past the give-up bound). */
export interface PublishRefusal {
  /** Where the message was going. */
  topic: string;
  /** The request the message is about. */
  source: SourcePosition;
  kind: "completion" | "dead letter" | "minimal dead letter";
  error: PublishError;
}

/**
 * Thrown by the completion publisher when retrying cannot help. `permanent` is what the
 * workflow's publish steps look for: they fail for good instead of being retried.
 */
export class PublishRefusedError extends Error {
  override readonly name = "PublishRefusedError";
  readonly permanent = true;

  constructor(readonly refusals: readonly PublishRefusal[]) {
    const last = refusals.at(-1);
    super(
      last
        ? `${last.kind} refused for good by topic ${last.topic}: ${last.error.message} (${last.error.reason})`
        : "publish refused for good",
    );
  }
}

/** The refusals a dead-letter delivery met on its way: none, the complete one, or both. */
export function refusalsOf(
  delivery: DeadLetterDelivery,
  topic: string,
  source: SourcePosition,
): PublishRefusal[] {
  const refusal = (kind: PublishRefusal["kind"], error: PublishError): PublishRefusal => ({
    topic,
    source,
    kind,
    error,
  });
  switch (delivery.status) {
    case "published-minimal":
      return [refusal("dead letter", delivery.refused)];
    case "undeliverable":
      return [
        refusal("dead letter", delivery.refused),
        refusal("minimal dead letter", delivery.minimalRefused),
      ];
    default:
      return [];
  }
}
