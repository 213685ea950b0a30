import { LOG_EVENTS, TOPICS } from "@deletion/contracts";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  idDigits,
  type KafkaSecurity,
  listTopicsWithin,
  newRunId,
  produceDeletionRequests,
  recordIdFor,
  withTimeout,
} from "@deletion/kafka";
import { startLocalKafka } from "@deletion/local-stack";
import { type AppProcess, spawnApp } from "./app-process.js";
import { watchCompletions } from "./completion-watch.js";
import { startDemoConsole } from "./demo-console.js";
import { type DemoDatabase, prepareDemoDatabase } from "./demo-database.js";
import { RecordBoard, type WorkerEvent } from "./record-board.js";
import { renderSummary } from "./render.js";
import { type DemoSummary, summarize } from "./summary.js";
import { terminalView } from "./terminal-view.js";

export interface DemoOptions {
  count: number;
  workers: number;
  batchSleepMs: number;
  partitions: number;
  /** Given: use this broker. Not given: start the project's local broker for the run. */
  brokers?: string | undefined;
  /**
   * SASL and TLS for the given broker: `security` for the demo's own clients, `workerEnv` the
   * same settings as the workers' environment variables (unset ones undefined, so removed).
   */
  kafkaSecurity?: { security: KafkaSecurity; workerEnv: Record<string, string | undefined> };
  /** Given: workers share this Resonate server. Not given: the in-process network. */
  resonateUrl?: string | undefined;
  /** Seed for the simulated store (reproducible runs). */
  seed?: number | undefined;
  /** postgres: the workers delete real rows of demo tables seeded for the run's ids. */
  store?: "simulated" | "postgres";
  /** The database for --store postgres; not given: the test kit starts one for the run. */
  databaseUrl?: string | undefined;
  timeoutMs: number;
  workerMainPath: string;
  /** Print the summary as one JSON line on stdout as well. */
  json: boolean;
  /**
   * Given: also serve the deletion console (apps/console) on this port, print its URL and a
   * login token made for the run, and keep everything running after the run until interrupted.
   */
  console?: { mainPath: string; port: number } | undefined;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  signal: AbortSignal;
}

export interface DemoResult {
  runId: string;
  summary: DemoSummary;
  /** Every record completed (or failed) before the timeout or an interrupt. */
  finished: boolean;
  interrupted: boolean;
}

/**
 * The whole pipeline in one process tree: a broker (unless one is given), the topics, worker
 * processes, a producer and a live view of each record. Everything it started is stopped on
 * the way out, whether the run finished, timed out or was interrupted.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = (line: string) => options.err.write(`[demo] ${line}\n`);
  const runId = newRunId();
  const cleanups: (() => Promise<unknown>)[] = [];
  const started = Date.now();
  const digits = idDigits(options.count);
  const ids = Array.from({ length: options.count }, (_, i) => recordIdFor(runId, i + 1, digits));
  const board = new RecordBoard(ids);
  let interrupted = false;
  let finished = false;

  try {
    let brokers: string;
    if (options.brokers) {
      brokers = options.brokers;
      say(`using the broker at ${options.brokers}`);
    } else {
      say("starting a local broker for this run");
      const broker = await startLocalKafka();
      cleanups.push(() => broker.stop());
      brokers = broker.bootstrapServers;
    }
    let database: DemoDatabase | undefined;
    if (options.store === "postgres") {
      database = await prepareDemoDatabase(ids, options.databaseUrl, say);
      cleanups.push(() => (database as DemoDatabase).stop());
    }
    const kafka = createKafka({
      brokers,
      clientId: `demo-${runId}`,
      security: options.kafkaSecurity?.security,
    });
    // Tells a refused password or certificate at once, before anything else connects.
    await listTopicsWithin(kafka, 30_000);

    const admin = kafka.admin();
    await withTimeout(`connecting to ${brokers}`, 30_000, admin.connect());
    const topicSpecs = [TOPICS.deletionRequests, TOPICS.deletionCompletions, TOPICS.deadLetters].map(
      (name) => ({
        name,
        partitions: options.partitions,
        replicationFactor: 1,
      }),
    );
    await ensureTopics(admin, topicSpecs, 30_000);
    await admin.disconnect();

    const completions = await watchCompletions(kafka, TOPICS.deletionCompletions, `demo-${runId}`, (c) =>
      board.applyCompletion(c),
    );
    cleanups.push(() => completions.stop());

    const workers: AppProcess[] = [];
    const assigned = new Set<number>();
    const httpPorts = new Map<number, number>();
    for (let i = 0; i < options.workers; i++) {
      const worker = spawnApp<WorkerEvent>({
        mainPath: options.workerMainPath,
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          ...options.kafkaSecurity?.workerEnv,
          RESONATE_URL: options.resonateUrl ?? "",
          BATCH_SLEEP_MS: String(options.batchSleepMs),
          HTTP_PORT: "0",
          LOG_LEVEL: "info",
          LOG_PRETTY: "false",
          ...(options.seed !== undefined ? { SIM_SEED: String(options.seed) } : {}),
          ...(database ? database.workerEnv : {}),
        },
        onEvent: (event) => {
          if (event.event === LOG_EVENTS.assigned) assigned.add(i);
          if (event.event === LOG_EVENTS.http && typeof event.port === "number") httpPorts.set(i, event.port);
          board.applyWorkerEvent(event);
        },
      });
      workers.push(worker);
      cleanups.push(() => worker.stop(10_000));
      say(`worker ${i + 1} started (pid ${worker.pid})`);
    }
    await waitFor(
      () => assigned.size === workers.length && httpPorts.size === workers.length,
      60_000,
      options.signal,
      "workers to join the group",
    );

    if (options.console) {
      const served = await startDemoConsole({
        mainPath: options.console.mainPath,
        port: options.console.port,
        brokers,
        securityEnv: options.kafkaSecurity?.workerEnv,
        workerUrls: [...httpPorts.values()].map((port) => `http://127.0.0.1:${port}`),
        resonateUrl: options.resonateUrl,
      });
      cleanups.push(() => served.stop());
      say(`console: ${served.url}`);
      say(`console token (for this run only): ${served.token}`);
      if (!options.resonateUrl) say("console: a record's state needs a Resonate server (--resonate-url)");
    }

    const producer = createIdempotentProducer(kafka);
    await withTimeout(`connecting to ${brokers}`, 30_000, producer.connect());
    cleanups.push(() => producer.disconnect());
    say(`producing ${options.count} records with ids ${ids[0]} .. ${ids.at(-1)}`);
    await produceDeletionRequests(producer, {
      topic: TOPICS.deletionRequests,
      count: options.count,
      idPrefix: runId,
    });

    const view = terminalView(options.out);
    const deadline = started + options.timeoutMs;
    while (!board.allFinished && !options.signal.aborted && Date.now() < deadline) {
      view.update(board.list(), Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    finished = board.allFinished;
    interrupted = options.signal.aborted;
    view.close(board.list(), Date.now() - started);
    if (!finished) say(interrupted ? "interrupted" : `timed out after ${options.timeoutMs} ms`);
    if (database) say(`rows left of the requested records: ${await database.rowsLeft()}`);
    if (options.console && finished && !interrupted) {
      say("every record finished; the console stays up until Ctrl-C");
      if (!options.signal.aborted)
        await new Promise((resolve) => options.signal.addEventListener("abort", resolve, { once: true }));
    }
  } catch (error) {
    if (!options.signal.aborted) throw error;
    interrupted = true;
  } finally {
    say("stopping everything this run started");
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }

  const summary = summarize(board.list(), Date.now() - started);
  options.out.write(`\n${renderSummary(summary, board.list())}\n`);
  if (options.json) options.out.write(`${JSON.stringify({ runId, finished, interrupted, ...summary })}\n`);
  return { runId, summary, finished, interrupted };
}

async function waitFor(condition: () => boolean, timeoutMs: number, signal: AbortSignal, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (signal.aborted) throw new Error("interrupted");
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
