import {
  DEAD_LETTER_VERSION,
  DELETION_REQUESTED_VERSION,
  type DeadLetter,
  type DeadLetterReasonCode,
  DeadLetterSchema,
  type DeletionRequested,
  decodeDeletionRequested,
  decodeMessage,
} from "@deletion/contracts";

/** Why one dead letter was not re-published; the summary counts each. */
export const REDRIVE_SKIP_REASONS = [
  /** not a DeadLetter this project reads */
  "unreadable",
  /** its reason code is not among the selected ones */
  "reasonNotSelected",
  /** it holds no complete, valid request (bad input, a truncated or minimal dead letter) */
  "noRequest",
  /** a request for the same record was already re-published by this run */
  "alreadyInThisRun",
] as const;

export type RedriveSkipReason = (typeof REDRIVE_SKIP_REASONS)[number];

export type RedriveDecision =
  | { action: "republish"; recordId: string; reasonCode: DeadLetterReasonCode; request: DeletionRequested }
  | {
      action: "skip";
      why: RedriveSkipReason;
      detail: string;
      recordId?: string;
      reasonCode?: DeadLetterReasonCode;
    };

export interface RedrivePlanOptions {
  reasons: ReadonlySet<DeadLetterReasonCode>;
  /** Record ids this run has re-published so far; a decision to re-publish adds to it. */
  seen: Set<string>;
  now: Date;
}

/**
 * What to do with one message of the dead-letter topic. A re-driven request is a fresh
 * DeletionRequested (new requestedAt, the original's metadata), not the old bytes: the worker
 * treats it as a new request, so a record whose deletion failed gets a new attempt, and one whose
 * latest attempt completed is only reported. One request per record per run is enough for that.
 */
export function planRedrive(value: Buffer | null, options: RedrivePlanOptions): RedriveDecision {
  const decoded = decodeMessage(DeadLetterSchema, value);
  if (!decoded.ok) {
    return {
      action: "skip",
      why: "unreadable",
      detail: `not a DeadLetter v${DEAD_LETTER_VERSION}: ${decoded.error.reason}`,
    };
  }
  const deadLetter: DeadLetter = decoded.value;
  const reasonCode = deadLetter.reasonCode;
  if (!options.reasons.has(reasonCode)) {
    return {
      action: "skip",
      why: "reasonNotSelected",
      detail: `reason ${reasonCode} is not selected`,
      reasonCode,
    };
  }
  if (deadLetter.truncated || deadLetter.valueBase64 === null) {
    return {
      action: "skip",
      why: "noRequest",
      detail: "the dead letter does not carry the whole original request",
      reasonCode,
    };
  }
  const original = decodeDeletionRequested(Buffer.from(deadLetter.valueBase64, "base64"), {
    fallbackRequestedAt: new Date(deadLetter.deadLetteredAt),
  });
  if (!original.ok) {
    return {
      action: "skip",
      why: "noRequest",
      detail: `the original value is not a request: ${original.error.reason}`,
      reasonCode,
    };
  }
  const { recordId, metadata } = original.value.request;
  if (options.seen.has(recordId)) {
    return {
      action: "skip",
      why: "alreadyInThisRun",
      detail: "a request for this record was already re-published by this run",
      recordId,
      reasonCode,
    };
  }
  options.seen.add(recordId);
  return {
    action: "republish",
    recordId,
    reasonCode,
    request: {
      schemaVersion: DELETION_REQUESTED_VERSION,
      recordId,
      requestedAt: options.now.toISOString(),
      ...(metadata ? { metadata } : {}),
    },
  };
}
