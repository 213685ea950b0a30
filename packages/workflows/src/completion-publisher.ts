import type { DeletionCompleted } from "@deletion/contracts";

/**
 * Where completions go. The workflow package stays free of Kafka: the apps pass in an
 * implementation (a Kafka producer in production, an in-memory list in tests).
 */
export interface CompletionPublisher {
  publish(completion: DeletionCompleted): Promise<void>;
}
