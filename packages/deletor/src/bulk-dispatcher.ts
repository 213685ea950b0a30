import {
  BULK_LOG_EVENTS,
  type DeadLetter,
  decodeBulkDeletionRequested,
  LOG_EVENTS,
} from "@deletion/contracts";
import { DEFAULT_PUBLISH_POLICY, deadLetterFor, deliverDeadLetter } from "@deletion/kafka";
import { type BulkRuntime, bulkRequestProblem } from "@deletion/workflows";
import type { Logger } from "pino";
import type { ConsumedMessage } from "./consumer-port.js";
import type { DeadLetterPolicy } from "./dispatcher.js";
import { DEFAULT_DEAD_LETTER_POLICY } from "./dispatcher.js";
import type { DurabilityStrategy } from "./durability.js";
import type { PartitionOffsets } from "./offset-tracker.js";
import {
  checkRequestSignature,
  type RequestKeyring,
  withSignaturesRequired,
} from "./request-verification.js";
import { retryUntilStopped, StoppedError } from "./retry.js";

export interface BulkDispatcherOptions {
  runtime: BulkRuntime;
  durability: DurabilityStrategy;
  /** The selectors this deployment configures: a request naming another is dead-lettered. */
  selectors: ReadonlyMap<string, readonly string[]>;
  publishDeadLetter: (deadLetter: DeadLetter) => Promise<void>;
  /**
   * The producers' public keys (the worker's REQUEST_SIGNATURE_KEYS): given, a bulk request must
   * carry a valid bulk signature by one of them, or it is dead-lettered as UNAUTHENTICATED.
   */
  requestKeyring?: RequestKeyring | undefined;
  deadLetters?: DeadLetterPolicy;
  logger: Logger;
  /** Called whenever a message became safe to commit. */
  onSafe?: () => void;
}

/**
 * One bulk request in, its bulk workflow started (or attached to: the same bulkId is one bulk)
 * without waiting for it; a malformed request or an unconfigured selector is dead-lettered with
 * the reason. The offset is safe when the durability strategy says so, as for record requests.
 */
export class BulkDispatcher {
  private stopping = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: BulkDispatcherOptions) {}

  accept(message: ConsumedMessage, partition: PartitionOffsets): void {
    const offset = BigInt(message.offset);
    partition.track(offset);
    const markSafe = () => {
      partition.markSafe(offset);
      this.options.onSafe?.();
    };
    const work = this.dispatch(message, markSafe).catch((err: unknown) =>
      this.options.logger.error(
        { event: LOG_EVENTS.unexpectedError, partition: message.partition, offset: message.offset, err },
        "bulk dispatch failed unexpectedly; the request stays uncommitted",
      ),
    );
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  stop(): void {
    this.stopping = true;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async dispatch(message: ConsumedMessage, markSafe: () => void): Promise<void> {
    const { logger, durability, runtime } = this.options;
    const decoded = this.decode(message);
    if (!decoded.ok) return this.deadLetter(message, decoded.error, markSafe);
    const request = decoded.value;
    const problem = bulkRequestProblem(request, this.options.selectors);
    if (problem) {
      logger.warn(
        { event: BULK_LOG_EVENTS.bulkUnknownSelector, bulkId: request.bulkId, reason: problem },
        problem,
      );
      return this.deadLetter(message, { code: "UNKNOWN_SELECTOR", reason: problem }, markSafe);
    }
    const source = { topic: message.topic, partition: message.partition, offset: message.offset };
    let start: Awaited<ReturnType<BulkRuntime["begin"]>>;
    try {
      start = await this.retrying(`start bulk ${request.bulkId}`, () => runtime.begin(request, source));
    } catch (error) {
      if (error instanceof StoppedError) return; // not safe: redelivered after a restart
      throw error;
    }
    logger.info(
      {
        event: BULK_LOG_EVENTS.bulkStarted,
        bulkId: request.bulkId,
        promiseId: start.promiseId,
        attached: start.attached,
      },
      start.attached ? "bulk request for a bulk that exists: attached to it" : "bulk workflow started",
    );
    if (durability.markSafeOnStart) markSafe();
    void start.end().then((end) => {
      if (end.kind === "crashed") {
        logger.error(
          { event: LOG_EVENTS.workflowCrashed, bulkId: request.bulkId, err: end.error },
          "bulk workflow crashed",
        );
      }
      if (durability.markSafeOnFinish) markSafe();
    });
  }

  /**
   * The bulk request, once its signature (when required) checks out: checked before decoding,
   * over the exact key and value, with the bulk domain (a deletion request's signature does not
   * verify here). With signatures required, a key that is not the bulkId is no authentication.
   */
  private decode(message: ConsumedMessage) {
    const keyring = this.options.requestKeyring;
    const unsigned = keyring ? checkRequestSignature(message, keyring, "bulk") : undefined;
    if (unsigned) return { ok: false as const, error: unsigned };
    const decoded = decodeBulkDeletionRequested(message.value, { key: message.key });
    return decoded.ok || !keyring
      ? decoded
      : { ok: false as const, error: withSignaturesRequired(decoded.error) };
  }

  private async deadLetter(
    message: ConsumedMessage,
    error: { code: DeadLetter["reasonCode"]; reason: string },
    markSafe: () => void,
  ): Promise<void> {
    const { logger } = this.options;
    const policy = this.options.deadLetters ?? DEFAULT_DEAD_LETTER_POLICY;
    const deadLetter = deadLetterFor(message, error, { maxOriginalBytes: policy.maxOriginalBytes });
    const delivery = await deliverDeadLetter(this.options.publishDeadLetter, deadLetter, {
      initialDelayMs: DEFAULT_PUBLISH_POLICY.initialDelayMs,
      maxDelayMs: DEFAULT_PUBLISH_POLICY.maxDelayMs,
      maxOriginalBytes: policy.maxOriginalBytes,
      giveUpAfterMs: policy.giveUpAfterMs,
      isStopped: () => this.stopping,
    });
    if (delivery.status === "stopped" || delivery.status === "undeliverable") {
      logger.error(
        { event: LOG_EVENTS.deadLetterUndeliverable, partition: message.partition, offset: message.offset },
        "bulk request could not be dead-lettered; it stays uncommitted",
      );
      return;
    }
    logger.warn(
      {
        event: LOG_EVENTS.deadLettered,
        partition: message.partition,
        offset: message.offset,
        reasonCode: error.code,
        reason: error.reason,
      },
      "bulk request dead-lettered",
    );
    markSafe();
  }

  private retrying<T>(what: string, work: () => Promise<T>): Promise<T> {
    return retryUntilStopped(work, {
      initialDelayMs: DEFAULT_PUBLISH_POLICY.initialDelayMs,
      maxDelayMs: DEFAULT_PUBLISH_POLICY.maxDelayMs,
      isStopped: () => this.stopping,
      onError: (error, attempt, nextDelayMs) =>
        this.options.logger.warn(
          { event: LOG_EVENTS.retrying, what, attempt, nextDelayMs, err: error },
          `${what} failed; retrying`,
        ),
    });
  }
}
