import {
  type DeadLetter,
  DeadLetterSchema,
  type DeletionCompleted,
  DeletionCompletedSchema,
  encodeMessage,
  MESSAGE_HEADERS,
  TOPICS,
} from "@deletion/contracts";
import type { Producer } from "./client.js";

export interface CompletionTopics {
  completions: string;
  deadLetters: string;
}

/**
 * Publishes a workflow's final word through an idempotent producer: completions keyed by
 * record id, failures to the dead-letter topic keyed like the original request. With
 * `publishedBy`, every message names the worker that sent it: a record published twice
 * (at-least-once after a crash) shows which worker sent each copy.
 */
export class KafkaCompletionPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: CompletionTopics = {
      completions: TOPICS.deletionCompletions,
      deadLetters: TOPICS.deadLetters,
    },
    private readonly publishedBy?: string,
  ) {}

  async publishCompleted(completion: DeletionCompleted): Promise<void> {
    await this.producer.send({
      topic: this.topics.completions,
      messages: [
        {
          key: completion.recordId,
          value: encodeMessage(DeletionCompletedSchema, completion),
          ...(this.publishedBy ? { headers: { [MESSAGE_HEADERS.publishedBy]: this.publishedBy } } : {}),
        },
      ],
    });
  }

  async publishFailed(deadLetter: DeadLetter): Promise<void> {
    await publishDeadLetter(this.producer, this.topics.deadLetters, deadLetter, this.publishedBy);
  }
}

export async function publishDeadLetter(
  producer: Producer,
  topic: string,
  deadLetter: DeadLetter,
  publishedBy?: string,
): Promise<void> {
  await producer.send({
    topic,
    messages: [
      {
        key: deadLetter.keyBase64 === null ? null : Buffer.from(deadLetter.keyBase64, "base64"),
        value: encodeMessage(DeadLetterSchema, deadLetter),
        headers: {
          [MESSAGE_HEADERS.deadLetterReason]: deadLetter.reasonCode,
          ...(publishedBy ? { [MESSAGE_HEADERS.publishedBy]: publishedBy } : {}),
        },
      },
    ],
  });
}
