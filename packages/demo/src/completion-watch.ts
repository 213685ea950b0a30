import { type DeletionCompleted, DeletionCompletedSchema, decodeMessage } from "@deletion/contracts";
import type { Kafka } from "@deletion/kafka";

export interface CompletionWatch {
  stop(): Promise<void>;
}

/**
 * Reads the completion topic from its beginning in a group of its own, so it sees every
 * completion of this run in the order the topic holds them (the caller filters by record id).
 */
export async function watchCompletions(
  kafka: Kafka,
  topic: string,
  groupId: string,
  onCompletion: (completion: DeletionCompleted) => void,
): Promise<CompletionWatch> {
  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(DeletionCompletedSchema, message.value);
      if (decoded.ok) onCompletion(decoded.value);
    },
  });
  return { stop: () => consumer.disconnect() };
}
