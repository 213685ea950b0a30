import type { RawMessage } from "@deletion/kafka";
import type { CommitEntry } from "./offset-tracker.js";
import type { MessageHeaders } from "./request-verification.js";

/** One message as the consumer hands it to the worker. */
export interface ConsumedMessage extends RawMessage {
  /** Kafka timestamp in ms, as the client gives it (a decimal string). */
  timestamp: string;
  /** Its headers (a request's signature travels in one). */
  headers?: MessageHeaders | undefined;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionKey = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

/** Stopping and restarting the reading of single partitions while the consumer keeps polling. */
export interface PartitionControl {
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** The next message read from the partition is the one at `offset`. */
  seek(partition: TopicPartition, offset: string): void;
}

/** What the consumer reports; the worker's side of the consume loop. */
export interface ConsumerEvents {
  /**
   * One message. Returns without waiting for anything, so the client keeps polling: rebalance
   * callbacks run and the group's max poll interval is never exceeded.
   */
  onMessage(message: ConsumedMessage): void;
  onAssigned(partitions: TopicPartition[]): void;
  /** Completes before the partitions are handed to another member. */
  onRevoked(partitions: TopicPartition[]): Promise<void>;
}

/** The Kafka consumer as the worker uses it (consumer-loop.ts has the real one). */
export interface ConsumerPort extends PartitionControl {
  /** Connects, subscribes and starts the consume loop; resolves once the loop runs. */
  start(events: ConsumerEvents): Promise<void>;
  readonly connected: boolean;
  /** The partitions assigned now (none before start or after disconnect). */
  assignment(): TopicPartition[];
  commit(entries: CommitEntry[]): Promise<void>;
  /** Partitions of the topic, for telling whether other members share the group. */
  partitionCount(topic: string): Promise<number>;
  /** The next offset to be written, per partition of the topic. */
  highWatermarks(topic: string): Promise<Map<number, bigint>>;
  disconnect(): Promise<void>;
}
