import {
  BULK_TOPICS,
  DEFAULT_BULK_CONSUMER_GROUP_ID,
  type DeadLetter,
  LOG_EVENTS,
  TOPICS,
} from "@deletion/contracts";
import { type Kafka, type Producer, publishDeadLetter } from "@deletion/kafka";
import type { BulkRuntime } from "@deletion/workflows";
import type { Logger } from "pino";
import { BulkDispatcher } from "./bulk-dispatcher.js";
import { CommitScheduler } from "./commit-scheduler.js";
import { KafkaConsumerLoop } from "./consumer-loop.js";
import { type ConsumerPort, partitionKey, type TopicPartition } from "./consumer-port.js";
import type { DurabilityStrategy } from "./durability.js";
import type { WorkerMetrics } from "./metrics.js";
import { OffsetTracker } from "./offset-tracker.js";

export interface BulkConsumerOptions {
  consumer?: ConsumerPort;
  kafka?: Kafka;
  producer: Producer;
  runtime: BulkRuntime;
  durability: DurabilityStrategy;
  selectors: ReadonlyMap<string, readonly string[]>;
  groupId?: string;
  topic?: string;
  deadLetterTopic?: string;
  commitIntervalMs: number;
  commitTimeoutMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
}

/**
 * The worker's second consumer, on the bulk request topic in a group of its own: bulk requests
 * are few and each starts one long workflow, so they never queue behind record requests. It
 * commits only safe offsets, as the record consumer does.
 */
export class BulkConsumer {
  private readonly consumer: ConsumerPort;
  private readonly tracker = new OffsetTracker();
  private readonly dispatcher: BulkDispatcher;
  private readonly commits: CommitScheduler;
  readonly topic: string;

  constructor(private readonly options: BulkConsumerOptions) {
    this.topic = options.topic ?? BULK_TOPICS.requests;
    const deadLetters = options.deadLetterTopic ?? TOPICS.deadLetters;
    this.consumer =
      options.consumer ??
      new KafkaConsumerLoop(this.kafka(), {
        groupId: options.groupId ?? DEFAULT_BULK_CONSUMER_GROUP_ID,
        topic: this.topic,
      });
    this.dispatcher = new BulkDispatcher({
      runtime: options.runtime,
      durability: options.durability,
      selectors: options.selectors,
      publishDeadLetter: (deadLetter: DeadLetter) =>
        publishDeadLetter(options.producer, deadLetters, deadLetter),
      logger: options.logger,
    });
    this.commits = new CommitScheduler({
      tracker: this.tracker,
      commit: (entries) => this.consumer.commit(entries),
      canCommit: () => this.consumer.connected,
      intervalMs: options.commitIntervalMs,
      timeoutMs: options.commitTimeoutMs,
      logger: options.logger,
      metrics: options.metrics,
    });
  }

  async start(): Promise<void> {
    await this.consumer.start({
      onMessage: (message) =>
        this.dispatcher.accept(message, this.tracker.partition(message.topic, message.partition)),
      onAssigned: () => {},
      onRevoked: (partitions) => this.onRevoked(partitions),
    });
    this.commits.start();
    this.options.logger.info(
      { event: LOG_EVENTS.bulkConsumerStarted, topic: this.topic },
      "bulk consumer consuming",
    );
  }

  /** Stops taking requests, commits what is safe and disconnects; running bulks go on elsewhere (server) or are redelivered. */
  async stop(timeoutMs: number): Promise<void> {
    this.commits.stop();
    this.dispatcher.stop();
    await Promise.race([this.dispatcher.drain(), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    await this.commits.commitSafe(undefined, Math.max(1_000, timeoutMs));
    await this.consumer.disconnect().catch(() => {});
  }

  private async onRevoked(partitions: TopicPartition[]): Promise<void> {
    const revoked = new Set(partitions.map(partitionKey));
    await this.commits.commitSafe((p) => revoked.has(partitionKey(p)));
    for (const p of partitions) this.tracker.drop(p.topic, p.partition);
  }

  private kafka(): Kafka {
    if (!this.options.kafka) throw new Error("BulkConsumer needs either `consumer` or `kafka`");
    return this.options.kafka;
  }
}
