import { AsyncResource } from "node:async_hooks";
import { type DeadLetter, TOPICS } from "@deletion/contracts";
import {
  type Admin,
  type Consumer,
  type Kafka,
  KafkaJS,
  type KafkaMessage,
  type Producer,
  publishDeadLetter,
} from "@deletion/kafka";
import type { DeletionRuntime, Durability } from "@deletion/workflows";
import type { Logger } from "pino";
import { type ConsumedMessage, DEFAULT_DEAD_LETTER_POLICY, Dispatcher } from "./dispatcher.js";
import type { WorkerMetrics } from "./metrics.js";
import { type CommitEntry, OffsetTracker } from "./offset-tracker.js";

export interface WorkerTopics {
  input: string;
  deadLetters: string;
}

export interface DeletorWorkerOptions {
  kafka: Kafka;
  /** Shared with the completion publisher: one idempotent producer per process. */
  producer: Producer;
  runtime: DeletionRuntime;
  durability: Durability;
  groupId: string;
  /** How long the group waits for a silent member before moving its partitions (default 45 s). */
  sessionTimeoutMs?: number;
  topics?: WorkerTopics;
  maxInFlight: number;
  batchSleepMs: number;
  commitIntervalMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
  /** How often to refresh the lag gauge from the broker's high watermarks. */
  lagRefreshMs?: number;
  /** Dead-letter size bound and give-up time for failing publishes (defaults in the dispatcher). */
  deadLetters?: { maxOriginalBytes: number; giveUpAfterMs: number };
  /** The worker cannot go on (a dead letter the broker refuses even in minimal form): stop it, exit 1. */
  onFatal?: (error: Error) => void;
}

export interface Readiness {
  ready: boolean;
  consumerConnected: boolean;
  groupJoined: boolean;
  assignedPartitions: number;
  stopping: boolean;
}

const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = KafkaJS.ErrorCodes;

type TopicPartition = { topic: string; partition: number };

/**
 * Kafka side of the worker: reads the request topic in a consumer group, hands every message to
 * the dispatcher without waiting for its workflow, commits only offsets that are safe, stops
 * reading while too many records are in flight, and on rebalance commits what is safe for the partitions
 * it loses before forgetting them.
 */
export class DeletorWorker {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly tracker = new OffsetTracker();
  private readonly dispatcher: Dispatcher;
  private readonly topics: WorkerTopics;
  private connected = false;
  private groupJoined = false;
  private stopping = false;
  /** Set while the consume loop waits for in-flight records to drop below the bound. */
  private backpressure: PromiseWithResolvers<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeletorWorkerOptions) {
    this.topics = options.topics ?? { input: TOPICS.deletionRequests, deadLetters: TOPICS.deadLetters };
    this.consumer = options.kafka.consumer({
      kafkaJS: { groupId: options.groupId, fromBeginning: true, autoCommit: false },
      "session.timeout.ms": options.sessionTimeoutMs ?? 45_000,
      "heartbeat.interval.ms": Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 45_000) / 3)),
      rebalance_cb: (error: { code: number }, assignment: TopicPartition[]) =>
        this.onRebalance(error, assignment),
    });
    this.admin = options.kafka.admin();
    this.dispatcher = new Dispatcher({
      runtime: options.runtime,
      durability: options.durability,
      publishDeadLetter: (deadLetter: DeadLetter) =>
        publishDeadLetter(options.producer, this.topics.deadLetters, deadLetter),
      batchSleepMs: options.batchSleepMs,
      logger: options.logger,
      metrics: options.metrics,
      retry: { initialDelayMs: 200, maxDelayMs: 10_000 },
      deadLetters: { ...DEFAULT_DEAD_LETTER_POLICY, ...options.deadLetters, topic: this.topics.deadLetters },
      // Bound to this (top-level) context: the call comes from work begun inside eachMessage,
      // whose async context holds the client's reentrant lock, and a disconnect made from it
      // would not wait for the consume loop (it then fails on its pending pause).
      ...(options.onFatal ? { onUndeliverable: AsyncResource.bind(options.onFatal) } : {}),
      onSafe: () => this.relieveBackpressure(),
    });
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    await this.consumer.connect();
    await this.admin.connect();
    this.connected = true;
    await this.consumer.subscribe({ topics: [this.topics.input] });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => this.onMessage(topic, partition, message),
    });
    this.commitTimer = setInterval(() => void this.commitSafe(), this.options.commitIntervalMs);
    this.lagTimer = setInterval(() => void this.refreshLag(), this.options.lagRefreshMs ?? 5_000);
    logger.info(
      {
        event: "started",
        groupId: this.options.groupId,
        topic: this.topics.input,
        durability: this.options.durability,
        maxInFlight: this.options.maxInFlight,
      },
      "worker consuming",
    );
  }

  readiness(): Readiness {
    const assignedPartitions = this.connected ? this.consumer.assignment().length : 0;
    return {
      ready: this.connected && this.groupJoined && !this.stopping,
      consumerConnected: this.connected,
      groupJoined: this.groupJoined,
      assignedPartitions,
      stopping: this.stopping,
    };
  }

  /**
   * Stop fetching, let in-flight starts finish, commit what is safe, disconnect; all within
   * timeoutMs. With the in-process network a record is safe only when its workflow is done, so
   * running workflows get the same time to finish: every one that does is not redelivered.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { logger } = this.options;
    const deadline = Date.now() + timeoutMs;
    clearInterval(this.commitTimer);
    clearInterval(this.lagTimer);
    this.pauseAll();
    this.relieveBackpressure();
    await this.dispatcher.drain(timeoutMs);
    if (this.options.durability === "in-process") {
      while (this.tracker.inFlight > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.dispatcher.stop();
    await this.commitSafe();
    logger.info(
      { event: "stopping", inFlight: this.tracker.inFlight, unstarted: this.dispatcher.startsInFlight },
      "committed what is safe; records still in flight will be redelivered",
    );
    await this.consumer.disconnect().catch((err) => logger.warn({ err }, "consumer disconnect failed"));
    await this.admin.disconnect().catch(() => {});
    this.connected = false;
  }

  private async onMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const consumed: ConsumedMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      timestamp: message.timestamp,
    };
    this.dispatcher.accept(consumed, this.tracker.partition(topic, partition));
    this.options.metrics.inFlight.set(this.tracker.inFlight);
    if (this.tracker.inFlight >= this.options.maxInFlight && !this.stopping) await this.waitForCapacity();
  }

  /**
   * Backpressure: the consume loop waits here (no further message is read, on any partition)
   * until in-flight records drop to half the bound. The client's pause()/resume() is not used
   * for this: with @confluentinc/kafka-javascript 1.10, pausing a partition with messages fetched
   * ahead made it skip them, and partitions resumed after a few cycles stopped delivering.
   * Waiting must stay shorter than the consumer's max poll interval (5 min), which holds while
   * records finish or, with a server, while promises can be created.
   */
  private async waitForCapacity(): Promise<void> {
    this.backpressure = Promise.withResolvers<void>();
    this.options.logger.info(
      { event: "paused", inFlight: this.tracker.inFlight },
      "in-flight bound reached; waiting",
    );
    await this.backpressure.promise;
    this.options.logger.info({ event: "resumed", inFlight: this.tracker.inFlight }, "resumed consuming");
  }

  private relieveBackpressure(): void {
    this.options.metrics.inFlight.set(this.tracker.inFlight);
    // Resume at half the bound, so the consumer does not flap around the limit.
    if (!this.backpressure || (!this.stopping && this.tracker.inFlight > this.options.maxInFlight / 2))
      return;
    this.backpressure.resolve();
    this.backpressure = undefined;
  }

  /** On shutdown: stop fetching everything (nothing read from now on is accepted). */
  private pauseAll(): void {
    const assignment = this.connected ? this.consumer.assignment() : [];
    if (assignment.length > 0) this.consumer.pause(groupByTopic(assignment));
  }

  /** Commits every partition whose safe position moved; serialised so commits never reorder. */
  private commitSafe(only?: (p: TopicPartition) => boolean): Promise<void> {
    this.committing = this.committing.then(async () => {
      const entries = this.tracker.pendingCommits(only);
      if (entries.length === 0 || !this.connected) return;
      try {
        await this.consumer.commitOffsets(entries);
        this.tracker.markCommitted(entries);
        this.recordCommitted(entries);
        this.options.logger.debug({ event: "committed", entries }, "offsets committed");
      } catch (err) {
        this.options.logger.warn(
          { event: "commit_failed", err, entries },
          "offset commit failed; will retry",
        );
      }
    });
    return this.committing;
  }

  private recordCommitted(entries: CommitEntry[]): void {
    for (const e of entries) {
      this.options.metrics.committedOffset.labels(e.topic, String(e.partition)).set(Number(e.offset));
    }
  }

  private async onRebalance(error: { code: number }, assignment: TopicPartition[]): Promise<void> {
    const { logger } = this.options;
    if (error.code === ERR__ASSIGN_PARTITIONS) {
      this.groupJoined = true;
      logger.info(
        { event: "assigned", partitions: assignment.map((a) => a.partition) },
        "partitions assigned",
      );
      if (this.options.durability === "in-process" && assignment.length > 0) this.warnIfShared(assignment);
      return;
    }
    if (error.code === ERR__REVOKE_PARTITIONS) {
      const revoked = new Set(assignment.map((a) => `${a.topic}/${a.partition}`));
      await this.commitSafe((p) => revoked.has(`${p.topic}/${p.partition}`));
      for (const a of assignment) {
        this.tracker.drop(a.topic, a.partition);
        this.options.metrics.committedLag.remove(a.topic, String(a.partition));
      }
      logger.info({ event: "revoked", partitions: assignment.map((a) => a.partition) }, "partitions revoked");
      this.relieveBackpressure(); // the dropped records no longer count against the bound
    }
  }

  /**
   * Without a Resonate server each worker keeps its promises in its own memory, so a record
   * redelivered to another worker would be deleted by both. Owning only some partitions means
   * other members share this group: say so loudly.
   */
  private warnIfShared(assignment: TopicPartition[]): void {
    void this.admin
      .fetchTopicMetadata({ topics: [this.topics.input] })
      .then((metadata) => {
        const total = metadata[0]?.partitions.length ?? 0;
        if (assignment.length < total) {
          this.options.logger.warn(
            { event: "shared_group_without_server", assigned: assignment.length, partitions: total },
            "several workers share this group but no Resonate server is configured: a record moved between workers by a rebalance can be deleted twice. Set RESONATE_URL to run more than one worker.",
          );
        }
      })
      .catch(() => {});
  }

  private async refreshLag(): Promise<void> {
    const owned = this.tracker.owned();
    if (owned.length === 0 || !this.connected) return;
    try {
      const offsets = await this.admin.fetchTopicOffsets(this.topics.input);
      const high = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      for (const p of owned) {
        const committed = p.committed;
        const hw = high.get(p.partition);
        if (committed === undefined || hw === undefined) continue;
        this.options.metrics.committedLag.labels(p.topic, String(p.partition)).set(Number(hw - committed));
      }
    } catch (err) {
      this.options.logger.debug({ err }, "could not refresh lag");
    }
  }
}

function groupByTopic(assignment: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const a of assignment) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
