import {
  BULK_HEADERS,
  type BulkDeletionCompleted,
  type DeletionRequested,
  encodeBulkDeletionCompleted,
  encodeDeletionRequested,
  MESSAGE_HEADERS,
} from "@deletion/contracts";
import type { Producer, RequestSigner } from "@deletion/kafka";
import type { BulkPublisher } from "@deletion/workflows";

export interface BulkPublisherTopics {
  /** Where the records' deletion requests go: the topic the workers consume. */
  requests: string;
  completions: string;
}

/**
 * A bulk's messages through the worker's idempotent producer: one request per record keyed by
 * its id (the key the worker checks), with the bulk-id header; the completion keyed by bulkId.
 * A send that fails rejects, and the bulk step retries the whole page (duplicates attach).
 */
export class KafkaBulkPublisher implements BulkPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topics: BulkPublisherTopics,
    private readonly publishedBy?: string,
    /** Signs each record request, for workers that require signed requests (the bulk's own was verified). */
    private readonly signer?: RequestSigner,
  ) {}

  async publishRequests(bulkId: string, requests: readonly DeletionRequested[]): Promise<void> {
    const headers = {
      [BULK_HEADERS.bulkId]: bulkId,
      ...(this.publishedBy ? { [MESSAGE_HEADERS.publishedBy]: this.publishedBy } : {}),
    };
    await this.producer.send({
      topic: this.topics.requests,
      messages: requests.map((request) => {
        const value = encodeDeletionRequested(request);
        return {
          key: request.recordId,
          value,
          headers: this.signer ? { ...headers, ...this.signer.headersFor(request.recordId, value) } : headers,
        };
      }),
    });
  }

  async publishCompleted(completion: BulkDeletionCompleted): Promise<void> {
    await this.producer.send({
      topic: this.topics.completions,
      messages: [
        {
          key: completion.bulkId,
          value: encodeBulkDeletionCompleted(completion),
          headers: this.publishedBy ? { [MESSAGE_HEADERS.publishedBy]: this.publishedBy } : {},
        },
      ],
    });
  }
}
