#!/usr/bin/env node
// Throughput of the producer's code path (produceDeletionRequests through the idempotent producer
// the CLI uses) next to a bare librdkafka loop on the same broker, in the same run, runs
// interleaved so both see the same load: the same client (@confluentinc/kafka-javascript), its
// plain (non-KafkaJS) Producer with the same librdkafka settings, produce() once per record in a
// loop, then one flush. The bare loop's values are the same bytes (JSON.stringify of the same
// fields, no validation), keyed the same way, and librdkafka's delivery reports stay in C (dr_cb
// off, the client's default): the loop learns of failures only from the flush, and the run
// checks the topic's offsets at the end. Between the two, to show where the time goes: the CLI's
// -v path (a delivery report per record), the client's KafkaJS-style API alone (one send() of
// every record: what the project's producer is built on), and the bare loop with every delivery
// report handed to JavaScript. Against KAFKA_BROKERS if set, else a broker started by the test kit.
// Writes bench/results/producer.{json,md}. Nothing here is a test.
// (Formerly apps/producer/bench/produce.mjs.)
import kafkaJavascript from "@confluentinc/kafka-javascript";
import { DELETION_REQUESTED_VERSION } from "@deletion/contracts";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  idDigits,
  produceDeletionRequests,
  recordIdFor,
  withTimeout,
} from "@deletion/kafka";
import { startBroker, uniqueName } from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { quietLogger } from "../harness/kafka.ts";
import {
  describeBroker,
  loadAverage,
  type MachineFacts,
  machineFacts,
  SHARED_MACHINE,
} from "../harness/machine.ts";
import { lastResultsOrExit, writeResults } from "../harness/results.ts";
import { type Spread, spread } from "../harness/stats.ts";

const HELP = `Usage: pnpm bench producer [options]

  --count N         records per run (default 100000)
  --runs N          runs of each producer, interleaved (default 3)
  --partitions N    partitions of the topic (default 3)
  --render          only write the markdown again from the last JSON results
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/producer.{json,md}. About a minute with the defaults.`;

const cli = benchCli("producer", HELP, {
  count: { type: "string", default: "100000" },
  runs: { type: "string", default: "3" },
  partitions: { type: "string", default: "3" },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});
const values = cli.values;
const count = cli.integer("count");
const runs = cli.integer("runs");
const partitions = cli.integer("partitions");

/** The librdkafka settings createIdempotentProducer gives the project's producer. */
const PRODUCER_SETTINGS = {
  "enable.idempotence": true,
  acks: "all",
  "linger.ms": 5,
  "compression.type": "lz4",
  "message.timeout.ms": 30_000,
} as const;
const GOAL_RATIO = 0.5;
const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A run of one producer: what it sent and how fast. */
interface Run {
  produced: number;
  elapsedMs: number;
  messagesPerSecond: number;
}

interface BareProducer {
  run(topic: string, idPrefix: string): Promise<Run>;
  stop(): Promise<void>;
}

type ModeName = "project" | "bare" | "perRecord" | "oneSend" | "bareReports";

/** bench/results/producer.json */
interface Results {
  environment: MachineFacts & { broker: string; client: string; shared: string; loadAverageAtEnd: number[] };
  settings: {
    count: number;
    runs: number;
    partitions: number;
    librdkafka: Record<string, string | number | boolean>;
    modes: Record<string, string>;
    rate: string;
  };
  recordsPerSecond: Record<string, Spread>;
  projectOverBare: Spread;
  goalMet: boolean;
  runs: Record<string, number[]>;
}

if (values.render) {
  const last = await lastResultsOrExit<Results>("producer", cli.resultsDir, "producer");
  await writeResults(cli.resultsDir, "producer", last, renderMarkdown(last));
  process.exit(0);
}

/** The records' bytes as the bare loops make them: the same fields, JSON.stringify, no validation. */
function bareMessages(idPrefix: string): (i: number) => { key: string; value: Buffer } {
  const digits = idDigits(count);
  const requestedAt = new Date().toISOString();
  return (i: number) => {
    const recordId = recordIdFor(idPrefix, i + 1, digits);
    const value = Buffer.from(
      JSON.stringify({ schemaVersion: DELETION_REQUESTED_VERSION, recordId, requestedAt }),
    );
    return { key: recordId, value };
  };
}

/**
 * A plain librdkafka producer for the bare loop, connected once and kept, like the project's
 * (so neither run pays for connecting, the producer id or the topic's metadata). With `reports`,
 * librdkafka also hands every message's delivery report to JavaScript, as the KafkaJS-style API
 * always asks it to.
 */
function bareProducer(brokers: string, { reports = false } = {}): Promise<BareProducer> {
  const producer = new kafkaJavascript.Producer({
    "bootstrap.servers": brokers,
    "client.id": `producer-bench-bare${reports ? "-reports" : ""}`,
    ...PRODUCER_SETTINGS,
    dr_cb: reports,
  });
  let delivered = 0;
  let failure: unknown;
  if (reports) {
    producer.on("delivery-report", (error) => {
      if (error) failure ??= error;
      delivered++;
    });
  }
  return new Promise((resolve, reject) => {
    producer.once("event.error", reject);
    producer.connect({}, (error) => {
      if (error) return reject(error);
      if (reports) producer.setPollInterval(10);
      resolve({
        /** The loop: produce() per record, waiting only when librdkafka's queue is full, then one flush. */
        run: (topic, idPrefix) =>
          new Promise<Run>((done, fail) => {
            const messageAt = bareMessages(idPrefix);
            delivered = 0;
            const started = performance.now();
            let i = 0;
            const finish = () => {
              if (failure) return fail(failure);
              if (reports && delivered < count) return setTimeout(finish, 1);
              const elapsedMs = performance.now() - started;
              done({ produced: count, elapsedMs, messagesPerSecond: (count * 1000) / elapsedMs });
            };
            const produceSome = () => {
              try {
                for (; i < count; i++) {
                  const { key, value } = messageAt(i);
                  producer.produce(topic, null, value, key);
                }
              } catch (e) {
                if (
                  (e as { code?: number } | undefined)?.code !== kafkaJavascript.CODES.ERRORS.ERR__QUEUE_FULL
                )
                  return fail(e);
                producer.poll();
                return setTimeout(produceSome, 1); // the queue drains as the broker acknowledges
              }
              producer.flush(60_000, (flushError) => (flushError ? fail(flushError) : finish()));
            };
            produceSome();
          }),
        stop: () => new Promise<void>((r) => producer.disconnect(() => r())),
      });
    });
  });
}

/** The client's KafkaJS-style API alone: every record in one send(), no code of this project. */
async function oneSend(
  producer: ReturnType<typeof createIdempotentProducer>,
  topic: string,
  idPrefix: string,
): Promise<Run> {
  const messageAt = bareMessages(idPrefix);
  const started = performance.now();
  const messages = Array.from({ length: count }, (_, i) => messageAt(i));
  await producer.send({ topic, messages });
  const elapsedMs = performance.now() - started;
  return { produced: count, elapsedMs, messagesPerSecond: (count * 1000) / elapsedMs };
}

const broker = await startBroker();
const environment = {
  ...machineFacts(),
  broker: describeBroker(broker),
  client:
    `@confluentinc/kafka-javascript ${kafkaJavascript.librdkafkaVersion ? `(librdkafka ${kafkaJavascript.librdkafkaVersion})` : ""}`.trim(),
  shared: SHARED_MACHINE,
};
// Warnings (a producer id retried while the broker warms up) to stderr: stdout carries the results.
const logger = quietLogger("producer-bench");
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "producer-bench", logger });
const admin = kafka.admin();
const producer = createIdempotentProducer(kafka);
const topic = uniqueName("bench-requests");
const MODES: Record<ModeName, { label: string; run(prefix: string): Promise<Run> }> = {
  project: {
    label: "this project's producer (produceDeletionRequests, the CLI's default)",
    run: (prefix) => produceDeletionRequests(producer, { topic, count, idPrefix: prefix }),
  },
  bare: {
    label: "bare librdkafka loop (plain Producer, produce() per record, one flush)",
    run: (prefix) => (bare ?? notConnected()).run(topic, prefix),
  },
  perRecord: {
    label: "this project's producer with a delivery report per record (the CLI's -v)",
    run: (prefix) =>
      produceDeletionRequests(producer, { topic, count, idPrefix: prefix, onDelivered: () => {} }),
  },
  oneSend: {
    label: "the client's KafkaJS-style API alone: one send() of every record",
    run: (prefix) => oneSend(producer, topic, prefix),
  },
  bareReports: {
    label: "bare loop with every delivery report handed to JavaScript (dr_cb)",
    run: (prefix) => (bareWithReports ?? notConnected()).run(topic, prefix),
  },
};
let bare: BareProducer | undefined;
let bareWithReports: BareProducer | undefined;
const notConnected = (): never => {
  throw new Error("the bare producer is not connected");
};
const measured = Object.fromEntries(Object.keys(MODES).map((m) => [m, [] as number[]])) as Record<
  ModeName,
  number[]
>;
let exitCode = 0;
try {
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions, replicationFactor: 1 }], 30_000);
  await withTimeout("connecting the producer", 30_000, producer.connect());
  // Warm-up, not measured: producer ids, metadata, and JIT on both sides (a fresh broker is
  // markedly slower for its first few hundred thousand records), for both clients.
  const warm = Math.max(count, 10_000);
  bare = await bareProducer(broker.bootstrapServers);
  bareWithReports = await bareProducer(broker.bootstrapServers, { reports: true });
  await produceDeletionRequests(producer, { topic, count: warm, idPrefix: "warmup" });
  await bare.run(topic, "warmup-bare");
  await bareWithReports.run(topic, "warmup-bare-reports");
  let produced = warm + 2 * count;

  for (let run = 1; run <= runs; run++) {
    for (const [mode, { run: produce }] of Object.entries(MODES) as [ModeName, (typeof MODES)[ModeName]][]) {
      const summary = await produce(`bench-${mode}${run}`);
      produced += summary.produced;
      measured[mode].push(summary.messagesPerSecond);
      console.error(
        `${mode} run ${run}: ${summary.produced} records in ${(summary.elapsedMs / 1000).toFixed(2)} s = ${rate.format(summary.messagesPerSecond)} records/s`,
      );
    }
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  const written = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (written !== produced) throw new Error(`the topic holds ${written} records, expected ${produced}`);
} catch (error) {
  console.error(`producer: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await producer.disconnect().catch(() => {});
  await bare?.stop();
  await bareWithReports?.stop();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect().catch(() => {});
  await broker.stop();
}
if (exitCode !== 0) process.exit(exitCode);

const summary = Object.fromEntries(Object.entries(measured).map(([mode, xs]) => [mode, spread(xs)]));
// Per run (the two ran back to back), then the spread of those ratios.
const ratio = spread(measured.project.map((p, i) => p / measured.bare[i]));
const results: Results = {
  environment: { ...environment, loadAverageAtEnd: loadAverage() },
  settings: {
    count,
    runs,
    partitions,
    librdkafka: PRODUCER_SETTINGS,
    modes: Object.fromEntries(Object.entries(MODES).map(([m, { label }]) => [m, label])),
    rate: "records / (first send to last acknowledgement)",
  },
  recordsPerSecond: summary,
  projectOverBare: ratio,
  goalMet: ratio.median >= GOAL_RATIO,
  runs: measured,
};
const markdown = renderMarkdown(results);
await writeResults(cli.resultsDir, "producer", results, markdown);
console.log(markdown);
process.exit(0);

function renderMarkdown(r: Results): string {
  const e = r.environment;
  const s = r.settings;
  const cell = (sp: Spread, fmt: (x: number) => string) =>
    `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})`;
  const times = (x: number) => `${x.toFixed(2)}×`;
  return `${[
    "# Producer: records per second",
    "",
    `${e.cores} cores (${e.cpu}), ${e.memoryGiB} GiB, Node ${e.node}; broker: ${e.broker}; client ${e.client}. Measured ${e.date}, load average ${e.loadAverage.join(" / ")} at the start and ${e.loadAverageAtEnd.join(" / ")} at the end (${e.shared}).`,
    "",
    `${s.count.toLocaleString("en-US")} records per run, ${s.partitions} partitions, ${s.runs} runs of each, interleaved, after a warm-up of both. The same librdkafka settings for both: ${Object.entries(
      s.librdkafka,
    )
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(", ")}. Rate: ${s.rate}. Median (min–max).`,
    "",
    "| producer | records/s |",
    "|---|---:|",
    ...Object.keys(r.recordsPerSecond).map(
      (m) => `| ${s.modes[m]} | ${cell(r.recordsPerSecond[m] as Spread, (x) => rate.format(x))} |`,
    ),
    `| this project's / bare loop, per run | ${cell(r.projectOverBare, times)} |`,
    "",
    `No goal is set for this rate any more (an earlier one asked for half the bare loop's): the project's producer makes ${rate.format(Object.values(r.recordsPerSecond)[0]?.median ?? Number.NaN)} requests a second, about a hundred times the most one deployment deletes (bench/results/throughput.md), so producing is never the bound. The benchmark stays, to catch a regression.`,
  ].join("\n")}\n`;
}
