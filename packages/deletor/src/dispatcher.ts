import { type DeadLetter, decodeDeletionRequested } from "@deletion/contracts";
import { deadLetterFor, type RawMessage } from "@deletion/kafka";
import type { DeletionHandle, DeletionOutcome, DeletionRuntime, Durability } from "@deletion/workflows";
import type { Logger } from "pino";
import type { WorkerMetrics } from "./metrics.js";
import type { PartitionOffsets } from "./offset-tracker.js";
import { retryUntilStopped, StoppedError } from "./retry.js";

export interface ConsumedMessage extends RawMessage {
  /** Kafka timestamp in ms, as the client gives it (a decimal string). */
  timestamp: string;
}

export interface DispatcherOptions {
  runtime: DeletionRuntime;
  /** Decides when a record is safe to commit: promise created (server) or workflow finished. */
  durability: Durability;
  publishDeadLetter: (deadLetter: DeadLetter) => Promise<void>;
  batchSleepMs: number;
  logger: Logger;
  metrics: WorkerMetrics;
  retry: { initialDelayMs: number; maxDelayMs: number };
  /** Called whenever a record became safe (so the worker can resume paused partitions). */
  onSafe?: () => void;
}

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

  constructor(private readonly options: DispatcherOptions) {}

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

    const decoded = decodeDeletionRequested(message.value, {
      fallbackRequestedAt: new Date(Number(message.timestamp) || Date.now()),
    });
    const start = decoded.ok
      ? this.startWorkflow(
          message,
          decoded.value.request.recordId,
          decoded.value.request.requestedAt,
          markSafe,
        )
      : this.deadLetter(deadLetterFor(message, decoded.error), markSafe);
    this.pendingStarts.add(start);
    // Nothing a message contains can make a start reject (retries end only with StoppedError,
    // which is handled); anything else is a bug, logged here rather than crashing the worker.
    void start
      .catch((err: unknown) =>
        this.options.logger.error(
          { event: "unexpected_error", partition: message.partition, offset: message.offset, err },
          "dispatch failed unexpectedly; the record stays uncommitted",
        ),
      )
      .finally(() => this.pendingStarts.delete(start));
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
    const { logger, metrics, durability } = this.options;
    const where = { recordId, partition: message.partition, offset: message.offset };
    const attachedHere = (this.active.get(recordId) ?? 0) > 0;
    this.active.set(recordId, (this.active.get(recordId) ?? 0) + 1);
    const startedAt = performance.now();
    let handle: DeletionHandle;
    try {
      handle = await this.retrying(`start workflow ${recordId}`, () =>
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
    metrics.dispatchLatency.observe((performance.now() - startedAt) / 1000);
    metrics.dispatched.inc();
    if (durability === "server") markSafe();

    const finishedBefore = !attachedHere && (await handle.done().catch(() => false));
    if (attachedHere || finishedBefore) {
      metrics.duplicates.inc();
      logger.info(
        { event: "duplicate", ...where, state: attachedHere ? "running" : "finished" },
        attachedHere
          ? "duplicate request: attached to the running workflow"
          : "duplicate request: already deleted, not deleting again",
      );
    } else {
      logger.info({ event: "dispatched", ...where }, "workflow started");
    }

    void handle.result().then(
      (outcome) => this.finished(where, outcome, markSafe),
      (error) => this.crashed(message, where, error, markSafe),
    );
  }

  private finished(where: { recordId: string }, outcome: DeletionOutcome, markSafe: () => void): void {
    this.release(where.recordId);
    this.options.metrics.completed.labels(outcome.status).inc();
    if (this.options.durability === "in-process") markSafe();
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
    this.options.logger.error({ event: "workflow_crashed", ...where, err: error }, "workflow crashed");
    const reason = `workflow crashed: ${error instanceof Error ? error.message : String(error)}`;
    // With a server the offset is already safe; in-process it becomes safe once dead-lettered.
    const done = this.options.durability === "in-process" ? markSafe : () => {};
    void this.deadLetter(deadLetterFor(message, { code: "WORKFLOW_FAILED", reason }), done).catch(() => {});
  }

  private async deadLetter(deadLetter: DeadLetter, markSafe: () => void): Promise<void> {
    const { logger, metrics } = this.options;
    try {
      await this.retrying("publish dead letter", () => this.options.publishDeadLetter(deadLetter));
    } catch (error) {
      if (error instanceof StoppedError) return;
      throw error;
    }
    metrics.deadLettered.labels(deadLetter.reasonCode).inc();
    logger.warn(
      {
        event: "dead_lettered",
        partition: deadLetter.source.partition,
        offset: deadLetter.source.offset,
        reasonCode: deadLetter.reasonCode,
        reason: deadLetter.reason,
      },
      "message dead-lettered",
    );
    markSafe();
  }

  private retrying<T>(what: string, work: () => Promise<T>): Promise<T> {
    return retryUntilStopped(work, {
      ...this.options.retry,
      isStopped: () => this.stopping,
      onError: (error, attempt, nextDelayMs) =>
        this.options.logger.warn(
          { event: "retrying", what, attempt, nextDelayMs, err: error },
          `${what} failed; retrying`,
        ),
    });
  }

  private release(recordId: string): void {
    const left = (this.active.get(recordId) ?? 1) - 1;
    if (left > 0) this.active.set(recordId, left);
    else this.active.delete(recordId);
  }
}
