import { randomBytes } from "node:crypto";
import {
  type DeadLetterReasonCode,
  DeletionRequestedSchema,
  encodeMessage,
  LOG_EVENTS,
  MESSAGE_HEADERS,
} from "@deletion/contracts";
import type { Logger } from "pino";
import { type Admin, type Kafka, withTimeout } from "./client.js";
import { createIdempotentProducer } from "./producer.js";
import { planRedrive, REDRIVE_SKIP_REASONS, type RedriveSkipReason } from "./redrive-plan.js";
import type { RequestSigner } from "./request-signing.js";

export interface RedriveOptions {
  deadLetterTopic: string;
  /** Where fresh requests go: the workers' input topic. */
  requestTopic: string;
  /** Consumer group that remembers how far the dead-letter topic has been re-driven. */
  groupId: string;
  reasons: ReadonlySet<DeadLetterReasonCode>;
  /** Read and decide, publish nothing, move no committed position. */
  dryRun: boolean;
  /** Read the whole topic instead of from the group's position, which is then left as it was. */
  fromBeginning: boolean;
  /** Bound on connecting. */
  connectTimeoutMs: number;
  /** Bound on reading up to the end; what was done by then is kept, and the run is incomplete. */
  timeoutMs: number;
  logger: Logger;
  onProgress?: (progress: RedriveProgress) => void;
  /** Stops reading; what was done is committed. */
  signal?: AbortSignal;
  now?: () => Date;
  /** Signs every re-published request (a header) for workers that require signatures. */
  signer?: RequestSigner | undefined;
}

export interface RedriveProgress {
  read: number;
  /** Dead letters between the start position and the end of the topic when the run began. */
  total: number;
  republished: number;
}

export interface RedriveSummary extends RedriveProgress {
  /** In a dry run: how many would have been re-published. */
  wouldRepublish: number;
  skipped: Record<RedriveSkipReason, number>;
  dryRun: boolean;
  /** Every partition was read up to where the topic ended when the run began. */
  complete: boolean;
  /** Record ids re-published (or, in a dry run, that would be), in order. */
  recordIds: string[];
}

interface PartitionRange {
  /** First offset to read. */
  start: bigint;
  /** The topic's end when the run began: the run stops there, later dead letters wait for the next. */
  end: bigint;
  /** Next offset to read; position - start messages are done. */
  position: bigint;
}

/**
 * Re-publishes each selected dead letter's request, from where the last run stopped to the topic's
 * end now, as a fresh request; the position is committed once those are acknowledged. A request
 * published twice after a crash is harmless: the worker only reports a running or done record.
 */
export async function redriveDeadLetters(kafka: Kafka, options: RedriveOptions): Promise<RedriveSummary> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const ranges = await withAdmin(kafka, options.connectTimeoutMs, (admin) => readRanges(admin, options));
  const summary: RedriveSummary = {
    read: 0,
    total: [...ranges.values()].reduce((sum, r) => sum + Number(r.end - r.start), 0),
    republished: 0,
    wouldRepublish: 0,
    skipped: Object.fromEntries(REDRIVE_SKIP_REASONS.map((r) => [r, 0])) as Record<RedriveSkipReason, number>,
    dryRun: options.dryRun,
    complete: false,
    recordIds: [],
  };
  const pending = new Set([...ranges].filter(([, r]) => r.position < r.end).map(([p]) => p));
  if (pending.size === 0) return { ...summary, complete: true };

  const producer = options.dryRun ? undefined : createIdempotentProducer(kafka);
  // A dry run, or a full re-read, must not move the group's position: it reads as a group of its own.
  const ownGroup = options.dryRun || options.fromBeginning;
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: ownGroup ? `${options.groupId}.once-${randomBytes(4).toString("hex")}` : options.groupId,
      fromBeginning: true,
      autoCommit: false,
    },
  });
  const done = Promise.withResolvers<void>();
  const seen = new Set<string>();
  const onAbort = () => done.resolve();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (producer) await withTimeout("connecting the producer", options.connectTimeoutMs, producer.connect());
    await withTimeout("connecting the consumer", options.connectTimeoutMs, consumer.connect());
    await consumer.subscribe({ topics: [options.deadLetterTopic] });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const range = ranges.get(partition);
        const offset = BigInt(message.offset);
        if (!range || offset < range.position || offset >= range.end || options.signal?.aborted) return;
        const where = { partition, offset: message.offset };
        const decision = planRedrive(message.value, { reasons: options.reasons, seen, now: now() });
        if (decision.action === "republish") {
          summary.recordIds.push(decision.recordId);
          if (producer) {
            const value = encodeMessage(DeletionRequestedSchema, decision.request);
            await producer.send({
              topic: options.requestTopic,
              messages: [
                {
                  key: decision.recordId,
                  value,
                  headers: {
                    [MESSAGE_HEADERS.redrivenFrom]: `${options.deadLetterTopic}/${partition}/${message.offset}`,
                    ...options.signer?.headersFor(decision.recordId, value),
                  },
                },
              ],
            });
            summary.republished += 1;
          } else {
            summary.wouldRepublish += 1;
          }
          logger.info(
            {
              event: LOG_EVENTS.redriveRepublished,
              ...where,
              recordId: decision.recordId,
              reasonCode: decision.reasonCode,
              dryRun: options.dryRun,
            },
            options.dryRun
              ? `would re-publish a request for ${decision.recordId}`
              : `re-published a request for ${decision.recordId}`,
          );
        } else {
          summary.skipped[decision.why] += 1;
          logger.debug(
            {
              event: LOG_EVENTS.redriveSkipped,
              ...where,
              why: decision.why,
              detail: decision.detail,
              recordId: decision.recordId,
              reasonCode: decision.reasonCode,
            },
            `skipped: ${decision.detail}`,
          );
        }
        summary.read += 1;
        range.position = offset + 1n;
        options.onProgress?.({ read: summary.read, total: summary.total, republished: summary.republished });
        if (range.position >= range.end) {
          pending.delete(partition);
          if (pending.size === 0) done.resolve();
        }
      },
    });
    await Promise.race([
      done.promise,
      new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs).unref()),
    ]);
    // Short of the end (timeout or abort) is reported by the summary; what was done still counts.
    summary.complete = pending.size === 0;
    if (!ownGroup) {
      const moved = [...ranges].filter(([, r]) => r.position > r.start);
      if (moved.length > 0) {
        // Every publish above was awaited, so all the dead letters below these positions are handled.
        await consumer.commitOffsets(
          moved.map(([partition, r]) => ({
            topic: options.deadLetterTopic,
            partition,
            offset: String(r.position),
          })),
        );
      }
    }
    return summary;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await withTimeout("disconnecting the consumer", 10_000, consumer.disconnect()).catch(() => {});
    if (producer)
      await withTimeout("disconnecting the producer", 10_000, producer.disconnect()).catch(() => {});
  }
}

/** Per partition: where this run starts (the group's committed position, or the topic's start) and ends. */
async function readRanges(admin: Admin, options: RedriveOptions): Promise<Map<number, PartitionRange>> {
  const offsets = await admin.fetchTopicOffsets(options.deadLetterTopic);
  const committed = new Map<number, bigint>();
  if (!options.fromBeginning) {
    const groups = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.deadLetterTopic] });
    for (const p of groups[0]?.partitions ?? []) {
      if (BigInt(p.offset) >= 0n) committed.set(p.partition, BigInt(p.offset));
    }
  }
  const ranges = new Map<number, PartitionRange>();
  for (const p of offsets) {
    const low = BigInt(p.low);
    const end = BigInt(p.high);
    const from = committed.get(p.partition);
    const start = from !== undefined && from > low ? (from < end ? from : end) : low;
    ranges.set(p.partition, { start, end, position: start });
  }
  return ranges;
}

async function withAdmin<T>(kafka: Kafka, timeoutMs: number, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await withTimeout("connecting the admin client", timeoutMs, admin.connect());
  try {
    return await withTimeout("reading the dead-letter topic's offsets", timeoutMs, work(admin));
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
