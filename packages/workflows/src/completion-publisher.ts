import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";

/**
 * Where a workflow's final word goes. The workflow package stays free of Kafka: the apps pass
 * in an implementation (Kafka producers in production, in-memory lists in tests).
 */
export interface CompletionPublisher {
  /** The record's data is gone: tell records_that_were_deleted. */
  publishCompleted(completion: DeletionCompleted): Promise<void>;
  /** The deletion failed for good: park the request on the dead-letter topic with the reason. */
  publishFailed(deadLetter: DeadLetter): Promise<void>;
}
