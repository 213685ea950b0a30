import { type Admin, type Consumer, type Kafka, KafkaJS } from "@deletion/kafka";
import type { ConsumerEvents, ConsumerPort, TopicPartition } from "./consumer-port.js";
import type { CommitEntry } from "./offset-tracker.js";

export interface ConsumerLoopOptions {
  groupId: string;
  topic: string;
  /** How long the group waits for a silent member before moving its partitions (default 45 s). */
  sessionTimeoutMs?: number;
}

const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = KafkaJS.ErrorCodes;

/**
 * The Kafka client behind ConsumerPort: a group consumer with manual commits and a rebalance
 * callback, and an admin client for metadata and high watermarks. Messages are handed over one at
 * a time and never awaited, so the poll loop keeps running whatever the worker waits for.
 */
export class KafkaConsumerLoop implements ConsumerPort {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private events: ConsumerEvents | undefined;
  private isConnected = false;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerLoopOptions,
  ) {
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.consumer = kafka.consumer({
      kafkaJS: { groupId: options.groupId, fromBeginning: true, autoCommit: false },
      "session.timeout.ms": sessionTimeoutMs,
      "heartbeat.interval.ms": Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
      rebalance_cb: (error: { code: number }, assignment: TopicPartition[]) =>
        this.onRebalance(error, assignment),
    });
    this.admin = kafka.admin();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async start(events: ConsumerEvents): Promise<void> {
    this.events = events;
    await this.consumer.connect();
    await this.admin.connect();
    this.isConnected = true;
    await this.consumer.subscribe({ topics: [this.options.topic] });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) =>
        events.onMessage({
          topic,
          partition,
          offset: message.offset,
          key: message.key ?? null,
          value: message.value ?? null,
          timestamp: message.timestamp,
          headers: message.headers,
        }),
    });
  }

  assignment(): TopicPartition[] {
    return this.isConnected ? this.consumer.assignment() : [];
  }

  pause(partitions: TopicPartition[]): void {
    if (this.isConnected && partitions.length > 0) this.consumer.pause(byTopic(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    if (this.isConnected && partitions.length > 0) this.consumer.resume(byTopic(partitions));
  }

  seek(partition: TopicPartition, offset: string): void {
    if (this.isConnected) this.consumer.seek({ ...partition, offset });
  }

  /**
   * Resolves once the client has queued the commit, not on the broker's answer: a refused commit
   * only leaves the group's offset behind until the next one (records redelivered, never skipped).
   * Why: docs/decisions/commit-timeout.md
   */
  commit(entries: CommitEntry[]): Promise<void> {
    return this.consumer.commitOffsets(entries);
  }

  async partitionCount(topic: string): Promise<number> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return metadata[0]?.partitions.length ?? 0;
  }

  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  async disconnect(): Promise<void> {
    if (!this.isConnected) return;
    this.isConnected = false;
    try {
      await this.consumer.disconnect();
    } finally {
      await this.admin.disconnect().catch(() => {});
    }
  }

  private async onRebalance(error: { code: number }, assignment: TopicPartition[]): Promise<void> {
    if (!this.events) return;
    if (error.code === ERR__ASSIGN_PARTITIONS) this.events.onAssigned(assignment);
    else if (error.code === ERR__REVOKE_PARTITIONS) await this.events.onRevoked(assignment);
  }
}

function byTopic(partitions: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
  return [...topics].map(([topic, numbers]) => ({ topic, partitions: numbers }));
}
