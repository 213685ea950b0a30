import { DELETION_REQUESTED_VERSION, encodeDeletionRequested } from "@deletion/contracts";
import { chunkRanges, pacedChunkSize } from "./chunks.js";
import type { Producer } from "./client.js";
import { type Clock, systemClock } from "./clock.js";
import { ProgressTicker } from "./progress.js";
import { idDigits, recordIdFor } from "./record-ids.js";
import type { RequestSigner } from "./request-signing.js";
import { TokenBucket } from "./token-bucket.js";

type OutgoingRequest = { key: string; value: Buffer; headers?: Record<string, string> };

/** Where one request ended up, from its own delivery report. */
export interface DeliveredRecord {
  recordId: string;
  partition: number;
  offset: string;
}

export interface ProduceProgress {
  produced: number;
  total: number;
  elapsedMs: number;
}

export interface ProduceRequestsOptions {
  topic: string;
  count: number;
  /** Ids are `<idPrefix>-000001` ... */
  idPrefix: string;
  /** Messages per second; 0 (default) = as fast as the broker acknowledges them. */
  ratePerSecond?: number;
  /** Records handed to the client together (default 1000). */
  chunkSize?: number;
  /** Chunks sent but not yet acknowledged; bounds memory and the client's queue (default 4). */
  maxChunksInFlight?: number;
  /** Each record's partition and offset; asking for them costs throughput (see sendEach). */
  onDelivered?: (record: DeliveredRecord) => void;
  /** Called every 10 % or 2 s for runs of 10,000 records or more. */
  onProgress?: (progress: ProduceProgress) => void;
  /** Stops starting new chunks; the ones in flight are still awaited. */
  signal?: AbortSignal;
  clock?: Clock;
  /** requestedAt of the messages; default the wall clock. */
  wallClock?: () => Date;
  /** Signs every request (a header) for workers that require signatures. */
  signer?: RequestSigner | undefined;
}

export interface ProduceSummary {
  requested: number;
  produced: number;
  /** Distinct partitions written to, ascending. */
  partitions: number[];
  elapsedMs: number;
  messagesPerSecond: number;
  firstId: string | undefined;
  lastId: string | undefined;
  /** True when the signal stopped the run before all records were sent. */
  aborted: boolean;
}

/**
 * Produces `count` DeletionRequested messages keyed by record id. Chunks of records are handed
 * to the client without waiting for each message, so librdkafka batches them (linger.ms); at
 * most `maxChunksInFlight` chunks wait for acknowledgement at a time.
 */
export async function produceDeletionRequests(
  producer: Pick<Producer, "send">,
  options: ProduceRequestsOptions,
): Promise<ProduceSummary> {
  const clock = options.clock ?? systemClock;
  const wallClock = options.wallClock ?? (() => new Date());
  const rate = options.ratePerSecond ?? 0;
  const chunkSize = pacedChunkSize(options.chunkSize ?? 1000, rate);
  const maxInFlight = Math.max(1, options.maxChunksInFlight ?? 4);
  const digits = idDigits(options.count);
  const bucket = rate > 0 ? new TokenBucket(rate, chunkSize, clock) : undefined;
  const ticker = new ProgressTicker({ total: options.count, clock });
  const started = clock.now();

  const partitions = new Set<number>();
  let produced = 0;
  let failure: unknown;
  let sentUpTo = 0;
  const inFlight = new Set<Promise<void>>();

  const messagesFor = (start: number, end: number) => {
    const requestedAt = wallClock().toISOString();
    const messages: OutgoingRequest[] = [];
    for (let i = start; i < end; i++) {
      const recordId = recordIdFor(options.idPrefix, i + 1, digits);
      const value = encodeDeletionRequested({
        schemaVersion: DELETION_REQUESTED_VERSION,
        recordId,
        requestedAt,
      });
      messages.push(
        options.signer
          ? { key: recordId, value, headers: options.signer.headersFor(recordId, value) }
          : { key: recordId, value },
      );
    }
    return messages;
  };

  const sendChunk = async (start: number, end: number): Promise<void> => {
    const messages = messagesFor(start, end);
    if (options.onDelivered) {
      for (const record of await sendEach(producer, options.topic, messages)) {
        partitions.add(record.partition);
        produced++;
        options.onDelivered(record);
      }
    } else {
      const acknowledged = await producer.send({ topic: options.topic, messages });
      for (const meta of acknowledged) partitions.add(meta.partition);
      produced += messages.length;
    }
    if (ticker.update(produced)) {
      options.onProgress?.({ produced, total: options.count, elapsedMs: clock.now() - started });
    }
  };

  for (const { start, end } of chunkRanges(options.count, chunkSize)) {
    if (failure !== undefined || options.signal?.aborted) break;
    if (bucket) {
      const wait = bucket.reserve(end - start);
      if (wait > 0) await clock.sleep(wait);
    }
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failure !== undefined || options.signal?.aborted) break;
    const sending = sendChunk(start, end).then(
      () => {},
      (error: unknown) => {
        failure ??= error;
      },
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    sentUpTo = end;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;

  const elapsedMs = clock.now() - started;
  return {
    requested: options.count,
    produced,
    partitions: [...partitions].sort((a, b) => a - b),
    elapsedMs,
    messagesPerSecond: elapsedMs > 0 ? (produced * 1000) / elapsedMs : produced,
    firstId: produced > 0 ? recordIdFor(options.idPrefix, 1, digits) : undefined,
    lastId: produced > 0 ? recordIdFor(options.idPrefix, sentUpTo, digits) : undefined,
    aborted: sentUpTo < options.count,
  };
}

/**
 * One `send` per record, all issued at once, so each record gets its own delivery report. A
 * multi-message send reports only the lowest offset per partition, not which message went
 * where, and offsets derived from it are wrong as soon as anything else writes to the same
 * partition. The client still batches these on the wire; the cost is a promise per record
 * (about a third of the throughput), so it is paid only when the caller wants the positions.
 */
async function sendEach(
  producer: Pick<Producer, "send">,
  topic: string,
  messages: OutgoingRequest[],
): Promise<DeliveredRecord[]> {
  const sends = messages.map((message) =>
    producer.send({ topic, messages: [message] }).then(([meta]): DeliveredRecord => {
      if (meta === undefined) throw new Error(`no delivery report for record ${message.key}`);
      return {
        recordId: message.key,
        partition: meta.partition,
        offset: String(meta.baseOffset ?? meta.offset),
      };
    }),
  );
  // allSettled, so that after one failure no other delivery rejects unobserved.
  const results = await Promise.allSettled(sends);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<DeliveredRecord>).value);
}
