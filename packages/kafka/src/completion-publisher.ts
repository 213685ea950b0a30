import {
  type DeadLetter,
  DeadLetterSchema,
  type DeletionCompleted,
  DeletionCompletedSchema,
  encodeMessage,
  TOPICS,
} from "@deletion/contracts";
import type { Producer } from "./client.js";

export interface CompletionTopics {
  completions: string;
  deadLetters: string;
}

/**
 * Publishes a workflow's final word through an idempotent producer: completions keyed by
 * record id, failures to the dead-letter topic keyed like the original request.
 */
export class KafkaCompletionPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: CompletionTopics = {
      completions: TOPICS.deletionCompletions,
      deadLetters: TOPICS.deadLetters,
    },
  ) {}

  async publishCompleted(completion: DeletionCompleted): Promise<void> {
    await this.producer.send({
      topic: this.topics.completions,
      messages: [{ key: completion.recordId, value: encodeMessage(DeletionCompletedSchema, completion) }],
    });
  }

  async publishFailed(deadLetter: DeadLetter): Promise<void> {
    await publishDeadLetter(this.producer, this.topics.deadLetters, deadLetter);
  }
}

export async function publishDeadLetter(
  producer: Producer,
  topic: string,
  deadLetter: DeadLetter,
): Promise<void> {
  await producer.send({
    topic,
    messages: [
      {
        key: deadLetter.keyBase64 === null ? null : Buffer.from(deadLetter.keyBase64, "base64"),
        value: encodeMessage(DeadLetterSchema, deadLetter),
        headers: { "dead-letter-reason": deadLetter.reasonCode },
      },
    ],
  });
}
