import { type DeadLetter, decodeDeletionRequested, LOG_EVENTS, TOPICS } from "@deletion/contracts";
import {
  DEFAULT_PUBLISH_POLICY,
  type DeadLetterDelivery,
  deadLetterFor,
  deliverDeadLetter,
  refusalsOf,
} from "@deletion/kafka";
import type { AttemptEnd, DeletionRuntime, DeletionStart } from "@deletion/workflows";
import type { Logger } from "pino";
import type { ConsumedMessage } from "./consumer-port.js";
import type { DurabilityStrategy } from "./durability.js";
import type { WorkerMetrics } from "./metrics.js";
import type { PartitionOffsets } from "./offset-tracker.js";
import { reportPublishRefusal } from "./publish-refusals.js";
import {
  checkRequestSignature,
  type RequestKeyring,
  withSignaturesRequired,
} from "./request-verification.js";
import { retryUntilStopped, StoppedError } from "./retry.js";

/** The fields every log line about one request's workflow carries. */
interface Where {
  recordId: string;
  partition: number;
  offset: string;
  /** The deletion attempt's durable promise id (see @deletion/workflows promise-ids.ts). */
  promiseId: string;
  deletionAttempt: number;
}

export interface DispatcherOptions {
  runtime: DeletionRuntime;
  /** Decides when a record is safe to commit: promise created (server) or workflow finished. */
  durability: DurabilityStrategy;
  /** Sends one dead letter; the dead-letter policy (size bound, retries, minimal form) wraps it. */
  publishDeadLetter: (deadLetter: DeadLetter) => Promise<void>;
  deadLetters?: DeadLetterPolicy;
  /**
   * Not even the minimal dead letter of a record could be published: its offset can never become
   * safe, so the owner must stop the worker rather than let the partition wait forever.
   */
  onUndeliverable?: (error: Error) => void;
  batchSleepMs: number;
  /**
   * Given, every request must be signed by one of these producer keys (request-verification.ts);
   * one that is not is dead-lettered as UNAUTHENTICATED. Absent: requests are not signed.
   */
  requestKeyring?: RequestKeyring | undefined;
  logger: Logger;
  metrics: WorkerMetrics;
  retry: { initialDelayMs: number; maxDelayMs: number };
  /** Called whenever a record became safe (so the worker can resume paused partitions). */
  onSafe?: () => void;
  /** Called whenever a workflow this worker started or attached to ended (see `running`). */
  onRunningChanged?: () => void;
}

export interface DeadLetterPolicy {
  /** The dead-letter topic, named in logs and metrics. */
  topic: string;
  /** Original key + value bytes a dead letter may carry. */
  maxOriginalBytes: number;
  /** Transient publish failures for this long count as a refusal for good. */
  giveUpAfterMs: number;
}

export const DEFAULT_DEAD_LETTER_POLICY: DeadLetterPolicy = {
  topic: TOPICS.deadLetters,
  maxOriginalBytes: DEFAULT_PUBLISH_POLICY.maxOriginalBytes,
  giveUpAfterMs: DEFAULT_PUBLISH_POLICY.giveUpAfterMs,
};

/**
 * Turns each message into a durable workflow (or a dead letter) without waiting for it: accept()
 * returns at once and the work goes on in the background, so a slow record never holds up the
 * ones behind it. It marks each offset safe when durability allows, and never throws on input.
 */
export class Dispatcher {
  private stopping = false;
  /** Starts (beginRun / dead-letter publish) not yet acknowledged: awaited on shutdown. */
  private readonly pendingStarts = new Set<Promise<void>>();
  /** Record ids with a workflow this worker started and has not seen finish. */
  private readonly active = new Map<string, number>();

  private readonly durability: DurabilityStrategy;

  constructor(private readonly options: DispatcherOptions) {
    this.durability = options.durability;
  }

  /** Workflows this worker started or attached to and has not seen finish (the running bound). */
  get running(): number {
    return this.active.size;
  }

  get startsInFlight(): number {
    return this.pendingStarts.size;
  }

  accept(message: ConsumedMessage, partition: PartitionOffsets): void {
    const offset = BigInt(message.offset);
    partition.track(offset);
    this.options.metrics.consumed.inc();
    const markSafe = () => {
      partition.markSafe(offset);
      this.options.onSafe?.();
    };

    const decoded = this.decode(message);
    const start = decoded.ok
      ? this.startWorkflow(
          message,
          decoded.value.request.recordId,
          decoded.value.request.requestedAt,
          markSafe,
        )
      : this.deadLetter(deadLetterFor(message, decoded.error, this.deadLetterBound), markSafe);
    this.pendingStarts.add(start);
    // Nothing a message contains can make a start reject (retries end only with StoppedError,
    // which is handled); anything else is a bug, logged here rather than crashing the worker.
    void start
      .catch((err: unknown) =>
        this.options.logger.error(
          { event: LOG_EVENTS.unexpectedError, partition: message.partition, offset: message.offset, err },
          "dispatch failed unexpectedly; the record stays uncommitted",
        ),
      )
      .finally(() => this.pendingStarts.delete(start));
  }

  /**
   * The request, once its signature (when required) checks out. The key must be the recordId:
   * a request naming one record under another's key is refused.
   */
  private decode(message: ConsumedMessage) {
    const keyring = this.options.requestKeyring;
    const unsigned = keyring ? checkRequestSignature(message, keyring) : undefined;
    if (unsigned) return { ok: false as const, error: unsigned };
    const decoded = decodeDeletionRequested(message.value, {
      fallbackRequestedAt: new Date(Number(message.timestamp) || Date.now()),
      key: message.key,
    });
    return decoded.ok || !keyring
      ? decoded
      : { ok: false as const, error: withSignaturesRequired(decoded.error) };
  }

  /** Stop retrying and wait (bounded) for the starts that are under way. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingStarts.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.pendingStarts]),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
    }
  }

  stop(): void {
    this.stopping = true;
  }

  private async startWorkflow(
    message: ConsumedMessage,
    recordId: string,
    requestedAt: string,
    markSafe: () => void,
  ): Promise<void> {
    const { logger, metrics } = this.options;
    const { durability } = this;
    const attachedHere = (this.active.get(recordId) ?? 0) > 0;
    this.active.set(recordId, (this.active.get(recordId) ?? 0) + 1);
    const startedAt = performance.now();
    let start: DeletionStart;
    try {
      start = await this.retrying(`start workflow ${recordId}`, () =>
        this.options.runtime.begin({
          recordId,
          requestedAt,
          source: { topic: message.topic, partition: message.partition, offset: message.offset },
          batchSleepMs: this.options.batchSleepMs,
        }),
      );
    } catch (error) {
      this.release(recordId);
      if (error instanceof StoppedError) return; // not safe: the record is redelivered after restart
      throw error;
    }
    const where: Where = {
      recordId,
      partition: message.partition,
      offset: message.offset,
      promiseId: start.promiseId,
      deletionAttempt: start.attempt,
    };
    if (start.kind === "foreign") {
      this.release(recordId);
      return this.foreign(message, where, start.reason, markSafe);
    }
    metrics.dispatchLatency.observe((performance.now() - startedAt) / 1000);
    metrics.dispatched.inc();
    if (durability.markSafeOnStart) markSafe();

    if (start.kind === "finished") {
      this.release(recordId);
      metrics.duplicates.inc();
      metrics.completed.labels(start.status).inc();
      logger.info(
        { event: LOG_EVENTS.duplicate, ...where, state: "finished", status: start.status },
        start.status === "completed"
          ? "duplicate request: already deleted, not deleting again"
          : "duplicate request: a redelivery of the request whose deletion failed; only a new request retries it",
      );
      if (durability.markSafeOnFinish) markSafe();
      return;
    }
    if (attachedHere || start.attached) {
      metrics.duplicates.inc();
      logger.info(
        { event: LOG_EVENTS.duplicate, ...where, state: "running" },
        "duplicate request: attached to the running workflow",
      );
    } else if (start.retryOf) {
      logger.info(
        { event: LOG_EVENTS.dispatched, ...where, retryOf: start.retryOf },
        `workflow started: deletion attempt ${start.attempt}, after ${start.retryOf} failed`,
      );
    } else {
      logger.info({ event: LOG_EVENTS.dispatched, ...where }, "workflow started");
    }

    void start.end().then((end) => this.ended(message, where, end, markSafe));
  }

  private ended(message: ConsumedMessage, where: Where, end: AttemptEnd, markSafe: () => void): void {
    switch (end.kind) {
      case "finished":
        this.release(where.recordId);
        this.options.metrics.completed.labels(end.outcome.status).inc();
        if (this.durability.markSafeOnFinish) markSafe();
        return;
      case "foreign": {
        this.release(where.recordId);
        this.options.metrics.completed.labels("foreign").inc();
        // With a server the offset is already safe; in-process it becomes safe once dead-lettered.
        const done = this.durability.markSafeOnFinish ? markSafe : () => {};
        void this.foreign(message, where, end.reason, done).catch(() => {});
        return;
      }
      case "crashed":
        this.crashed(message, where, end.error, markSafe);
        return;
    }
  }

  /**
   * The record's promise id holds a promise this project did not create: another application's
   * on the same server, or a value no version of this workflow writes. Running a deletion under
   * it, or trusting its value, would be wrong either way, so the request is dead-lettered.
   */
  private foreign(
    message: ConsumedMessage,
    where: Where,
    reason: string,
    markSafe: () => void,
  ): Promise<void> {
    this.options.logger.error(
      { event: LOG_EVENTS.foreignPromise, ...where, reason },
      "the record's promise id holds a promise this project did not create; dead-lettering the request",
    );
    return this.deadLetter(
      deadLetterFor(message, { code: "FOREIGN_PROMISE", reason }, this.deadLetterBound),
      markSafe,
      where.recordId,
    );
  }

  /**
   * The workflow itself threw (a failed deletion is not this: the workflow dead-letters that on
   * its own). Nothing else will report the record, so it is dead-lettered here.
   */
  private crashed(
    message: ConsumedMessage,
    where: { recordId: string },
    error: unknown,
    markSafe: () => void,
  ): void {
    this.release(where.recordId);
    this.options.metrics.completed.labels("crashed").inc();
    this.options.logger.error(
      { event: LOG_EVENTS.workflowCrashed, ...where, err: error },
      "workflow crashed",
    );
    const reason = `workflow crashed: ${error instanceof Error ? error.message : String(error)}`;
    // With a server the offset is already safe; in-process it becomes safe once dead-lettered.
    const done = this.durability.markSafeOnFinish ? markSafe : () => {};
    const deadLetter = deadLetterFor(message, { code: "WORKFLOW_FAILED", reason }, this.deadLetterBound);
    void this.deadLetter(deadLetter, done, where.recordId).catch(() => {});
  }

  private get deadLetterPolicy(): DeadLetterPolicy {
    return this.options.deadLetters ?? DEFAULT_DEAD_LETTER_POLICY;
  }

  private get deadLetterBound(): { maxOriginalBytes: number } {
    return { maxOriginalBytes: this.deadLetterPolicy.maxOriginalBytes };
  }

  /**
   * The dead-letter policy (see deliverDeadLetter): the dead letter, else its minimal form; a
   * record is safe once either is published. If neither can be, the worker must stop.
   */
  private async deadLetter(deadLetter: DeadLetter, markSafe: () => void, recordId?: string): Promise<void> {
    const { logger, metrics } = this.options;
    const policy = this.deadLetterPolicy;
    const delivery = await deliverDeadLetter(this.options.publishDeadLetter, deadLetter, {
      ...this.options.retry,
      maxOriginalBytes: policy.maxOriginalBytes,
      giveUpAfterMs: policy.giveUpAfterMs,
      isStopped: () => this.stopping,
      onTransient: (error, attempt, nextDelayMs) =>
        logger.warn(
          {
            event: LOG_EVENTS.retrying,
            what: "publish dead letter",
            attempt,
            nextDelayMs,
            reason: error.reason,
            brokerError: error.message,
          },
          "publish dead letter failed; retrying",
        ),
    });
    if (delivery.status === "stopped") return; // not safe: the record is redelivered after restart
    for (const refusal of refusalsOf(delivery, policy.topic, deadLetter.source)) {
      reportPublishRefusal(logger, metrics, refusal);
    }
    if (delivery.status === "undeliverable") return this.undeliverable(deadLetter, delivery);
    const sent = delivery.deadLetter;
    metrics.deadLettered.labels(sent.reasonCode).inc();
    logger.warn(
      {
        event: LOG_EVENTS.deadLettered,
        ...(recordId !== undefined ? { recordId } : {}),
        partition: sent.source.partition,
        offset: sent.source.offset,
        reasonCode: sent.reasonCode,
        reason: sent.reason,
        truncated: sent.truncated ?? false,
        minimal: delivery.status === "published-minimal",
      },
      delivery.status === "published-minimal"
        ? "message dead-lettered in minimal form"
        : "message dead-lettered",
    );
    markSafe();
  }

  /** Its offset stays unsafe; the worker is told to stop instead of retrying what cannot succeed. */
  private undeliverable(
    deadLetter: DeadLetter,
    delivery: Extract<DeadLetterDelivery, { status: "undeliverable" }>,
  ): void {
    const { topic } = this.deadLetterPolicy;
    const { source } = deadLetter;
    const message = `cannot publish even a minimal dead letter to topic ${topic} for ${source.topic}[${source.partition}]@${source.offset}: ${delivery.minimalRefused.message} (${delivery.minimalRefused.reason}); stopping, the offset stays uncommitted`;
    this.options.logger.fatal(
      {
        event: LOG_EVENTS.deadLetterUndeliverable,
        topic,
        source,
        partition: source.partition,
        offset: source.offset,
        reasonCode: deadLetter.reasonCode,
        reason: delivery.minimalRefused.reason,
        brokerError: delivery.minimalRefused.message,
      },
      message,
    );
    this.options.onUndeliverable?.(new Error(message));
  }

  private retrying<T>(what: string, work: () => Promise<T>): Promise<T> {
    return retryUntilStopped(work, {
      ...this.options.retry,
      isStopped: () => this.stopping,
      onError: (error, attempt, nextDelayMs) =>
        this.options.logger.warn(
          { event: LOG_EVENTS.retrying, what, attempt, nextDelayMs, err: error },
          `${what} failed; retrying`,
        ),
    });
  }

  private release(recordId: string): void {
    const left = (this.active.get(recordId) ?? 1) - 1;
    if (left > 0) this.active.set(recordId, left);
    else this.active.delete(recordId);
    this.options.onRunningChanged?.();
  }
}
