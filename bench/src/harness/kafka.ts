// What the Kafka-side benchmarks share: topics, producing requests, and watching completions on
// the output topic.
import { createLogger } from "@deletion/cli-kit";
import { DeletionCompletedSchema, decodeMessage } from "@deletion/contracts";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  idDigits,
  type Kafka,
  produceDeletionRequests,
  recordIdFor,
} from "@deletion/kafka";

// The clients' warnings (a producer id retried while the broker warms up) go to stderr: stdout
// carries the results.
export const quietLogger = (name = "bench") =>
  createLogger({ name, level: "warn", destination: process.stderr });
export const kafkaFor = (brokers: string, clientId: string): Kafka =>
  createKafka({ brokers, clientId, logger: quietLogger() });

/** Creates the topics (name -> partitions) on the broker. */
export async function createTopics(brokers: string, partitionsByName: Record<string, number>): Promise<void> {
  const admin = kafkaFor(brokers, "bench-admin").admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      Object.entries(partitionsByName).map(([name, partitions]) => ({
        name,
        partitions,
        replicationFactor: 1,
      })),
      30_000,
    );
  } finally {
    await admin.disconnect();
  }
}

export interface ProducedRequest {
  recordId: string;
  /** When the request was stamped (ms since the epoch). */
  requestedAt: number;
}

export interface RequestProducer {
  produce(topic: string, idPrefix: string, count: number): Promise<ProducedRequest[]>;
  stop(): Promise<void>;
}

/**
 * The project's request producer, kept connected between sends; `produce` resolves once the
 * broker acknowledged them, with each record's id and requestedAt.
 */
export async function requestProducer(brokers: string): Promise<RequestProducer> {
  const producer = createIdempotentProducer(kafkaFor(brokers, "bench-producer"));
  await producer.connect();
  return {
    async produce(topic, idPrefix, count) {
      const chunkSize = 1000;
      const stamps: Date[] = [];
      const summary = await produceDeletionRequests(producer, {
        topic,
        count,
        idPrefix,
        chunkSize,
        // Called once per chunk, as the chunk's messages are made: their requestedAt.
        wallClock: () => {
          const now = new Date();
          stamps.push(now);
          return now;
        },
      });
      if (summary.produced !== count) throw new Error(`produced ${summary.produced} of ${count}`);
      const digits = idDigits(count);
      return Array.from({ length: count }, (_, i) => ({
        recordId: recordIdFor(idPrefix, i + 1, digits),
        requestedAt: (stamps[Math.floor(i / chunkSize)] as Date).getTime(),
      }));
    },
    stop: () => producer.disconnect(),
  };
}

export interface SeenCompletion {
  completedAt: number;
  seenAt: number;
  batches: number;
}

export interface CompletionWatch {
  seen: Map<string, SeenCompletion>;
  /** Resolves once every id has a completion, in the order of the ids. */
  waitFor(recordIds: readonly string[], timeoutMs: number): Promise<SeenCompletion[]>;
  stop(): Promise<void>;
}

/**
 * Completions read back from the output topic, by record id: the completion's own completedAt
 * and when this reader saw it.
 */
export async function watchCompletions(brokers: string, topic: string): Promise<CompletionWatch> {
  const consumer = kafkaFor(brokers, "bench-completions").consumer({
    kafkaJS: { groupId: `${topic}.bench-reader`, fromBeginning: true },
  });
  const seen = new Map<string, SeenCompletion>();
  const waiters = new Set<() => void>();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(DeletionCompletedSchema, message.value);
      if (!decoded.ok) throw new Error(`a completion that does not decode: ${decoded.error.reason}`);
      const c = decoded.value;
      if (!seen.has(c.recordId))
        seen.set(c.recordId, {
          completedAt: Date.parse(c.completedAt),
          seenAt: Date.now(),
          batches: c.batches,
        });
      for (const w of waiters) w();
    },
  });
  return {
    seen,
    waitFor(recordIds, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!recordIds.every((id) => seen.has(id))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(recordIds.map((id) => seen.get(id) as SeenCompletion));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const missing = recordIds.filter((id) => !seen.has(id)).length;
          reject(new Error(`${missing} of ${recordIds.length} completions missing after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => consumer.disconnect(),
  };
}

export interface RunTopics {
  input: string;
  output: string;
  dlq: string;
}

/** The three topics of a run named `base`. */
export const topicsFor = (base: string): RunTopics => ({
  input: `${base}.requests`,
  output: `${base}.completions`,
  dlq: `${base}.dlq`,
});

/** A worker process's settings for a run's topics and server; the rest is the worker's defaults. */
export function workerEnv({
  brokers,
  topics,
  base,
  resonateUrl,
}: {
  brokers: string;
  topics: RunTopics;
  base: string;
  resonateUrl: string;
}): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    INPUT_TOPIC: topics.input,
    OUTPUT_TOPIC: topics.output,
    DEAD_LETTER_TOPIC: topics.dlq,
    KAFKA_GROUP_ID: `${base}.workers`,
    RESONATE_URL: resonateUrl,
    RESONATE_GROUP: `${base}.resonate`,
    HTTP_PORT: "0",
    BATCH_SLEEP_MS: "0",
  };
}
