// What the worker's benchmarks share: the facts a result names (machine, server version),
// writing results, topics, producing requests, running the worker (or a baseline consumer) as a
// child process that reports its log lines, and watching completions on the output topic.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createLogger } from "@deletion/cli-kit";
import { DeletionCompletedSchema, decodeMessage } from "@deletion/contracts";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  idDigits,
  produceDeletionRequests,
  recordIdFor,
} from "@deletion/kafka";
import { machineFacts } from "@deletion/test-kit";

/** bench/results/ at the repository root: committed results live there. */
export const RESULTS_DIR = new URL("../../../bench/results/", import.meta.url);

export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The clients' warnings (a producer id retried while the broker warms up) go to stderr: stdout
// carries the results.
const quiet = createLogger({ name: "bench", level: "warn", destination: process.stderr });
const kafkaFor = (brokers, clientId) => createKafka({ brokers, clientId, logger: quiet });

/** The server binary's own `--version`, else the test kit's description of the server. */
export async function serverVersion(server) {
  const binary = /binary \(([^;]+);/.exec(server.description)?.[1];
  if (!binary) return server.description;
  const child = spawn(binary, ["--version"]);
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  await new Promise((resolve) => child.once("exit", resolve));
  return out.trim() || binary;
}

/** The machine, the broker and the server a result was measured with. */
export async function environmentFacts(broker, server) {
  return {
    ...machineFacts(),
    broker:
      broker.kind === "kafka"
        ? "the test kit's local Apache Kafka (KRaft, one broker, no Docker)"
        : `${broker.kind} (${broker.bootstrapServers})`,
    server: server
      ? `${await serverVersion(server)}, ${server.kind}, SQLite, default flags (timeouts scanned every 1 s)`
      : undefined,
    shared:
      "the machine is shared with other work, test suites and builds: the load average says how busy it was",
  };
}

/** Writes bench/results/<name>.json and .md. */
export async function writeResults(name, results, markdown) {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(new URL(`${name}.json`, RESULTS_DIR), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(new URL(`${name}.md`, RESULTS_DIR), markdown);
}

/** Creates the topics (name -> partitions) on the broker. */
export async function createTopics(brokers, partitionsByName) {
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

/**
 * The project's request producer, kept connected between sends; `produce` resolves once the
 * broker acknowledged them, with each record's id and requestedAt.
 */
export async function requestProducer(brokers) {
  const producer = createIdempotentProducer(kafkaFor(brokers, "bench-producer"));
  await producer.connect();
  return {
    async produce(topic, idPrefix, count) {
      const chunkSize = 1000;
      const stamps = [];
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
        requestedAt: stamps[Math.floor(i / chunkSize)].getTime(),
      }));
    },
    stop: () => producer.disconnect(),
  };
}

/**
 * A Node process (the worker's dist/main.js or a bench consumer) whose stdout log lines are
 * parsed; `waitFor` resolves with the first line (JSON) the predicate accepts from now on.
 */
export function startNodeProcess(entry, { env, nodeArgs = [], name = "child" }) {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const listeners = new Set();
  let exited = false;
  const exit = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const l of listeners) l.fail(new Error(`${name} exited (${signal ?? code})`));
      resolve();
    }),
  );
  createInterface({ input: child.stdout }).on("line", (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return; // not a log line
    }
    for (const l of listeners) l.line(event);
  });
  return {
    child,
    pid: child.pid,
    /** Calls `onLine` with every parsed line until the returned function is called. */
    follow(onLine) {
      const l = { line: onLine, fail: () => {} };
      listeners.add(l);
      return () => listeners.delete(l);
    },
    waitFor(predicate, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        const l = {
          line: (event) => {
            if (!predicate(event)) return;
            clearTimeout(timer);
            listeners.delete(l);
            resolve(event);
          },
          fail: (error) => {
            clearTimeout(timer);
            listeners.delete(l);
            reject(error);
          },
        };
        if (exited) l.fail(new Error(`${name} has exited`));
        else listeners.add(l);
      });
    },
    async stop() {
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
}

/**
 * Completions read back from the output topic, by record id: the completion's own completedAt
 * and when this reader saw it.
 */
export async function watchCompletions(brokers, topic) {
  const consumer = kafkaFor(brokers, "bench-completions").consumer({
    kafkaJS: { groupId: `${topic}.bench-reader`, fromBeginning: true },
  });
  const seen = new Map();
  const waiters = new Set();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(DeletionCompletedSchema, message.value);
      if (!decoded.ok) throw new Error(`a completion that does not decode: ${decoded.message}`);
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
    /** Resolves once every id has a completion. */
    waitFor(recordIds, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!recordIds.every((id) => seen.has(id))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(recordIds.map((id) => seen.get(id)));
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

/** A worker process's settings for a run's topics and server; the rest is the worker's defaults. */
export function workerEnv({ brokers, topics, base, resonateUrl }) {
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
