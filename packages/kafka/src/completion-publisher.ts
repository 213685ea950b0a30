import {
  DEAD_LETTER_MAX_ORIGINAL_BYTES,
  type DeadLetter,
  DeadLetterSchema,
  type DeletionCompleted,
  DeletionCompletedSchema,
  encodeMessage,
  MESSAGE_HEADERS,
  TOPICS,
} from "@deletion/contracts";
import type { Producer } from "./client.js";
import { deliverDeadLetter } from "./dead-letter-delivery.js";
import type { PublishError } from "./publish-errors.js";
import { type PublishRefusal, PublishRefusedError, refusalsOf } from "./publish-refusal.js";
import { publishWithRetry } from "./publish-retry.js";

export interface CompletionTopics {
  completions: string;
  deadLetters: string;
}

/** How publishing copes with failures; see publishWithRetry and deliverDeadLetter. */
export interface PublishPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Transient failures for this long count as a refusal for good. */
  giveUpAfterMs: number;
  /** Original key + value bytes a dead letter may carry. */
  maxOriginalBytes: number;
  /** Told about every refusal for good, to log and count it. */
  onRefused?: (refusal: PublishRefusal) => void;
  onTransient?: (topic: string, error: PublishError, attempt: number, nextDelayMs: number) => void;
}

/** The one set of publish defaults. Why: docs/decisions/publish-policy.md */
export const DEFAULT_PUBLISH_POLICY: PublishPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  giveUpAfterMs: 120_000,
  maxOriginalBytes: DEAD_LETTER_MAX_ORIGINAL_BYTES,
};

/**
 * Publishes a workflow's final word through an idempotent producer, retrying transient failures
 * within the policy; a refusal for good rejects with PublishRefusedError, which the workflow's
 * steps do not retry. `publishedBy` names the sender of each copy of an at-least-once publish.
 */
export class KafkaCompletionPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: CompletionTopics = {
      completions: TOPICS.deletionCompletions,
      deadLetters: TOPICS.deadLetters,
    },
    private readonly publishedBy?: string,
    private readonly policy: PublishPolicy = DEFAULT_PUBLISH_POLICY,
  ) {}

  async publishCompleted(completion: DeletionCompleted): Promise<void> {
    const topic = this.topics.completions;
    const result = await publishWithRetry(() => this.sendCompletion(completion), this.retryOptions(topic));
    if (result.status !== "refused") return;
    const refusal: PublishRefusal = {
      topic,
      source: completion.source,
      kind: "completion",
      error: result.error,
    };
    this.policy.onRefused?.(refusal);
    throw new PublishRefusedError([refusal]);
  }

  async publishFailed(deadLetter: DeadLetter): Promise<void> {
    const topic = this.topics.deadLetters;
    const delivery = await deliverDeadLetter(
      (letter) => publishDeadLetter(this.producer, topic, letter, this.publishedBy),
      deadLetter,
      { ...this.retryOptions(topic), maxOriginalBytes: this.policy.maxOriginalBytes },
    );
    const refusals = refusalsOf(delivery, topic, deadLetter.source);
    for (const refusal of refusals) this.policy.onRefused?.(refusal);
    if (delivery.status === "undeliverable") throw new PublishRefusedError(refusals);
  }

  private retryOptions(topic: string) {
    const { initialDelayMs, maxDelayMs, giveUpAfterMs, onTransient } = this.policy;
    return {
      initialDelayMs,
      maxDelayMs,
      giveUpAfterMs,
      onTransient: (error: PublishError, attempt: number, nextDelayMs: number) =>
        onTransient?.(topic, error, attempt, nextDelayMs),
    };
  }

  private async sendCompletion(completion: DeletionCompleted): Promise<void> {
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
