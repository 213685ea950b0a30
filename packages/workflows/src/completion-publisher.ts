import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";

/**
 * Where a workflow's final word goes. The workflow package stays free of Kafka: the apps pass
 * in an implementation (Kafka producers in production, in-memory lists in tests).
 *
 * A publisher retries what may pass later itself. When retrying cannot help (the broker refused
 * the message for good), it rejects with an error whose `permanent` property is true.
 */
export interface CompletionPublisher {
  /** The record's data is gone: tell records_that_were_deleted. */
  publishCompleted(completion: DeletionCompleted): Promise<void>;
  /** The deletion failed for good: park the request on the dead-letter topic with the reason. */
  publishFailed(deadLetter: DeadLetter): Promise<void>;
}

/**
 * A publish refused for good. The publish steps turn a publisher's `permanent` error into this
 * one, which the workflow never retries: a retried step would wait forever (the SDK's default
 * policy has no limit) for a broker that will not take the message.
 */
export class PermanentPublishError extends Error {
  override readonly name = "PermanentPublishError";
}

/** Rethrows a publisher's error, as PermanentPublishError when it says retrying cannot help. */
export function rethrowPublishError(error: unknown): never {
  const permanent =
    typeof error === "object" && error !== null && (error as { permanent?: unknown }).permanent === true;
  if (!permanent) throw error;
  throw new PermanentPublishError(error instanceof Error ? error.message : String(error), { cause: error });
}
