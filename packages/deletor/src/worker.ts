import { AsyncResource } from "node:async_hooks";
import { type DeadLetter, LOG_EVENTS, TOPICS } from "@deletion/contracts";
import { DEFAULT_PUBLISH_POLICY, type Kafka, type Producer, publishDeadLetter } from "@deletion/kafka";
import type { DeletionRuntime } from "@deletion/workflows";
import type { Logger } from "pino";
import { CommitScheduler } from "./commit-scheduler.js";
import { KafkaConsumerLoop } from "./consumer-loop.js";
import type { ConsumedMessage } from "./consumer-port.js";
import { type ConsumerPort, partitionKey, type TopicPartition } from "./consumer-port.js";
import { DEFAULT_DEAD_LETTER_POLICY, Dispatcher } from "./dispatcher.js";
import type { DurabilityStrategy } from "./durability.js";
import { FlowControl } from "./flow-control.js";
import { LagMonitor } from "./lag-monitor.js";
import type { WorkerMetrics } from "./metrics.js";
import { OffsetTracker } from "./offset-tracker.js";
import { PartitionGate } from "./partition-gate.js";
import { type Readiness, readinessOf } from "./readiness.js";
import type { RequestKeyring } from "./request-verification.js";
import { warnIfGroupShared } from "./shared-group-warning.js";

export interface WorkerTopics {
  input: string;
  deadLetters: string;
}

export interface DeletorWorkerOptions {
  /** The consumer: made from `kafka` unless given (tests give a fake one). */
  consumer?: ConsumerPort;
  kafka?: Kafka;
  /** Shared with the completion publisher: one idempotent producer per process. */
  producer: Producer;
  runtime: DeletionRuntime;
  durability: DurabilityStrategy;
  groupId: string;
  /** How long the group waits for a silent member before moving its partitions (default 45 s). */
  sessionTimeoutMs?: number;
  topics?: WorkerTopics;
  maxInFlight: number;
  /** Workflows started or attached to and not yet seen finish (default: no bound). */
  maxRunning?: number;
  batchSleepMs: number;
  /** Given, requests must be signed by one of these keys (see Dispatcher). */
  requestKeyring?: RequestKeyring | undefined;
  commitIntervalMs: number;
  /** A commit not answered within this long is abandoned and tried again (default 5 s). */
  commitTimeoutMs?: number;
  logger: Logger;
  metrics: WorkerMetrics;
  /** How often to refresh the lag gauge from the broker's high watermarks. */
  lagRefreshMs?: number;
  /** Dead-letter size bound and give-up time for failing publishes (defaults in the dispatcher). */
  deadLetters?: { maxOriginalBytes: number; giveUpAfterMs: number };
  /** The worker cannot go on (a dead letter the broker refuses even in minimal form): stop it, exit 1. */
  onFatal?: (error: Error) => void;
}

export const DEFAULT_COMMIT_TIMEOUT_MS = 5_000;

/**
 * The Kafka side of the worker, put together: the consumer hands every message to the
 * dispatcher without waiting for its workflow; the flow control holds partitions back at the
 * in-flight and running bounds while the consumer keeps polling; the commit scheduler commits
 * only safe offsets; a rebalance commits what is safe on the partitions lost, then forgets them.
 */
export class DeletorWorker {
  private readonly consumer: ConsumerPort;
  private readonly tracker = new OffsetTracker();
  private readonly dispatcher: Dispatcher;
  private readonly flow: FlowControl;
  private readonly gate: PartitionGate;
  private readonly commits: CommitScheduler;
  private readonly lag: LagMonitor;
  private readonly topics: WorkerTopics;
  private groupJoined = false;
  private stopping = false;
  /** Resolved once nothing is in flight; for a shutdown that waits for running workflows. */
  private idle: PromiseWithResolvers<void> | undefined;

  constructor(private readonly options: DeletorWorkerOptions) {
    this.topics = options.topics ?? { input: TOPICS.deletionRequests, deadLetters: TOPICS.deadLetters };
    this.consumer = options.consumer ?? this.kafkaConsumer();
    this.flow = new FlowControl({
      maxInFlight: options.maxInFlight,
      maxRunning: options.maxRunning ?? Number.MAX_SAFE_INTEGER,
    });
    this.gate = new PartitionGate(this.consumer);
    this.commits = new CommitScheduler({
      tracker: this.tracker,
      commit: (entries) => this.consumer.commit(entries),
      canCommit: () => this.consumer.connected,
      intervalMs: options.commitIntervalMs,
      timeoutMs: options.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS,
      logger: options.logger,
      metrics: options.metrics,
    });
    this.lag = new LagMonitor({
      topic: this.topics.input,
      tracker: this.tracker,
      highWatermarks: (topic) => this.consumer.highWatermarks(topic),
      canRead: () => this.consumer.connected,
      intervalMs: options.lagRefreshMs ?? 5_000,
      metrics: options.metrics,
      logger: options.logger,
    });
    this.dispatcher = new Dispatcher({
      runtime: options.runtime,
      durability: options.durability,
      publishDeadLetter: (deadLetter: DeadLetter) =>
        publishDeadLetter(options.producer, this.topics.deadLetters, deadLetter),
      batchSleepMs: options.batchSleepMs,
      requestKeyring: options.requestKeyring,
      logger: options.logger,
      metrics: options.metrics,
      retry: {
        initialDelayMs: DEFAULT_PUBLISH_POLICY.initialDelayMs,
        maxDelayMs: DEFAULT_PUBLISH_POLICY.maxDelayMs,
      },
      deadLetters: { ...DEFAULT_DEAD_LETTER_POLICY, ...options.deadLetters, topic: this.topics.deadLetters },
      // Bound to this (top-level) context: the call comes from work begun inside eachMessage,
      // whose async context holds the client's reentrant lock, and a disconnect made from it
      // would not wait for the consume loop (it then fails on its pending pause).
      ...(options.onFatal ? { onUndeliverable: AsyncResource.bind(options.onFatal) } : {}),
      onSafe: () => this.loadChanged(),
      onRunningChanged: () => this.loadChanged(),
    });
  }

  async start(): Promise<void> {
    await this.consumer.start({
      onMessage: (message) => this.onMessage(message),
      onAssigned: (partitions) => this.onAssigned(partitions),
      onRevoked: (partitions) => this.onRevoked(partitions),
    });
    this.commits.start();
    this.lag.start();
    this.options.logger.info(
      {
        event: LOG_EVENTS.started,
        groupId: this.options.groupId,
        topic: this.topics.input,
        durability: this.options.durability.name,
        maxInFlight: this.flow.bounds.maxInFlight,
        maxRunning: this.options.maxRunning ?? null,
      },
      "worker consuming",
    );
  }

  readiness(): Readiness {
    return readinessOf({
      connected: this.consumer.connected,
      groupJoined: this.groupJoined,
      assignedPartitions: this.consumer.assignment().length,
      atBound: this.flow.closed,
      stopping: this.stopping,
    });
  }

  /** Records read but not yet safe; workflows started here and not seen finish. */
  get load(): { inFlight: number; running: number } {
    return { inFlight: this.tracker.inFlight, running: this.dispatcher.running };
  }

  /**
   * Stop fetching, let in-flight starts finish, commit what is safe, disconnect; all within
   * timeoutMs (the commit and the disconnect each have their own bound inside it). Where the
   * strategy says so (in-process promises), running workflows get the same time to finish: every
   * one that does is not redelivered.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { logger, durability } = this.options;
    const deadline = Date.now() + timeoutMs;
    this.commits.stop();
    this.lag.stop();
    this.gate.shut(this.consumer.assignment());
    await this.dispatcher.drain(timeoutMs);
    if (durability.waitForRunningOnShutdown) await this.untilIdle(deadline - Date.now());
    this.dispatcher.stop();
    const commitTimeoutMs = this.options.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS;
    await this.commits.commitSafe(
      undefined,
      Math.min(commitTimeoutMs, Math.max(1_000, deadline - Date.now())),
    );
    logger.info(
      {
        event: LOG_EVENTS.stopping,
        inFlight: this.tracker.inFlight,
        unstarted: this.dispatcher.startsInFlight,
      },
      "committed what is safe; records still in flight will be redelivered",
    );
    await bounded(this.consumer.disconnect(), Math.max(1_000, deadline - Date.now())).catch((err: unknown) =>
      logger.warn({ err }, "consumer disconnect failed"),
    );
  }

  private onMessage(message: ConsumedMessage): void {
    const partition = { topic: message.topic, partition: message.partition };
    // Refused while at a bound or stopping: its partition is paused and reads it again later.
    if (!this.gate.admit(partition, message.offset)) return;
    this.dispatcher.accept(message, this.tracker.partition(message.topic, message.partition));
    this.loadChanged();
  }

  /** After every change of in-flight or running work: publish it and let the flow control act. */
  private loadChanged(): void {
    const { metrics, logger } = this.options;
    const load = this.load;
    metrics.inFlight.set(load.inFlight);
    metrics.running.set(load.running);
    if (load.inFlight === 0) this.idle?.resolve();
    if (this.stopping) return;
    const change = this.flow.update(load);
    if (change?.kind === "close") {
      this.gate.close();
      logger.info(
        { event: LOG_EVENTS.paused, bound: change.bound, ...load },
        `${change.bound} bound reached; holding partitions, still polling`,
      );
    } else if (change?.kind === "open") {
      this.gate.open();
      logger.info({ event: LOG_EVENTS.resumed, ...load }, "below half of both bounds; reading again");
    }
    metrics.heldPartitions.set(this.gate.heldPartitions);
  }

  private onAssigned(partitions: TopicPartition[]): void {
    this.groupJoined = true;
    this.options.logger.info(
      { event: LOG_EVENTS.assigned, partitions: partitions.map((a) => a.partition) },
      "partitions assigned",
    );
    if (this.options.durability.warnIfShared) {
      void warnIfGroupShared(
        partitions.length,
        () => this.consumer.partitionCount(this.topics.input),
        this.options.logger,
      );
    }
  }

  /** Commits what is safe on the partitions lost (bounded by the commit timeout), then forgets them. */
  private async onRevoked(partitions: TopicPartition[]): Promise<void> {
    const revoked = new Set(partitions.map(partitionKey));
    await this.commits.commitSafe((p) => revoked.has(partitionKey(p)));
    for (const p of partitions) {
      this.tracker.drop(p.topic, p.partition);
      this.lag.forget(p.topic, p.partition);
    }
    this.gate.revoke(partitions);
    this.options.logger.info(
      { event: LOG_EVENTS.revoked, partitions: partitions.map((a) => a.partition) },
      "partitions revoked",
    );
    this.loadChanged(); // the dropped records no longer count against the in-flight bound
  }

  private untilIdle(timeoutMs: number): Promise<void> {
    if (this.tracker.inFlight === 0 || timeoutMs <= 0) return Promise.resolve();
    this.idle = Promise.withResolvers<void>();
    return bounded(this.idle.promise, timeoutMs).catch(() => {});
  }

  private kafkaConsumer(): ConsumerPort {
    if (!this.options.kafka) throw new Error("DeletorWorker needs either `consumer` or `kafka`");
    return new KafkaConsumerLoop(this.options.kafka, {
      groupId: this.options.groupId,
      topic: this.topics.input,
      ...(this.options.sessionTimeoutMs ? { sessionTimeoutMs: this.options.sessionTimeoutMs } : {}),
    });
  }
}

/** Rejects when `work` has not settled within ms; the work itself goes on. */
function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
