#!/usr/bin/env node
// Head-of-line: one record of many batches produced first, then many records of one batch, all on
// one partition. How long the short records wait behind the long one, for this worker (which does
// not wait for a workflow before starting the next) and for a sequential consumer that awaits each
// record's deletion (src/children/sequential-consumer.ts: the same workflow, store and settings), against a
// real Resonate server (the test kit's, a fresh one per measurement) and the in-process network.
//
// Latency of a record: its completion's completedAt minus its request's requestedAt (both taken on
// this machine's clock: the producer stamps the request as it makes it, the workflow's completion
// step stamps the completion). Makespan: the long record's requestedAt to the last completedAt.
// "One batch alone": the latency of a record of one batch produced while nothing else runs, by
// the same process just before the load (median of --solo such records, one at a time).
// Nothing here is a test: the numbers depend on the machine and on what else runs on it.
import type { ResonateServer } from "@deletion/local-stack";
import {
  type Broker,
  scrapeResonateRequests,
  startBroker,
  startResonateServer,
  uniqueName,
} from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import {
  createTopics,
  type ProducedRequest,
  type RequestProducer,
  requestProducer,
  type SeenCompletion,
  topicsFor,
  watchCompletions,
} from "../harness/kafka.ts";
import { type EnvironmentFacts, environmentFacts, loadAverage, metricsUrlOf } from "../harness/machine.ts";
import { childScript, TS_NODE_ARGS, WORKER_MAIN } from "../harness/paths.ts";
import { startNodeProcess } from "../harness/process.ts";
import { lastResultsOrExit, writeResults } from "../harness/results.ts";
import { percentile, round, type Spread, spread } from "../harness/stats.ts";

const HELP = `Usage: pnpm bench head-of-line [options]

  --reps N          measurements of each consumer and network (default 3)
  --short N         records of one batch produced after the long one (default 200)
  --long-batches N  batches of the long record produced first (default 40)
  --pause-ms N      batch pause, BATCH_SLEEP_MS (default 100; throttle, the default pause)
  --solo N          records of one batch alone, one at a time, before the load (default 5)
  --networks LIST   server,in-process (default both)
  --render          only write the markdown again from the last JSON results
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/head-of-line.{json,md}. About 1.5 minutes a rep with the defaults.`;

const cli = benchCli("head-of-line", HELP, {
  reps: { type: "string", default: "3" },
  short: { type: "string", default: "200" },
  "long-batches": { type: "string", default: "40" },
  "pause-ms": { type: "string", default: "100" },
  solo: { type: "string", default: "5" },
  networks: { type: "string", default: "server,in-process" },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});
const values = cli.values;
if (values.render) {
  const last = await lastResultsOrExit<Results>("head-of-line", cli.resultsDir, "head-of-line");
  await writeResults(cli.resultsDir, "head-of-line", last, renderMarkdown(last));
  process.exit(0);
}
const settings = {
  reps: cli.integer("reps"),
  short: cli.integer("short", 2),
  longBatches: cli.integer("long-batches"),
  pauseMs: cli.integer("pause-ms", 0),
  solo: cli.integer("solo"),
};
type Network = "server" | "in-process";
const networks = cli.oneOf<Network>("networks", ["server", "in-process"]);

type Consumer = "worker" | "sequential";
const CONSUMERS: Record<Consumer, { label: string; entry: string; nodeArgs: readonly string[] }> = {
  worker: { label: "this worker", entry: WORKER_MAIN, nodeArgs: [] },
  sequential: {
    label: "sequential consumer (awaits each deletion)",
    entry: childScript("sequential-consumer.ts"),
    nodeArgs: TS_NODE_ARGS,
  },
};

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
/** One measurement of one consumer on one network. */
interface Run {
  soloMs: number;
  solosMs: number[];
  burstAloneMs?: Percentiles;
  shortMs: Percentiles;
  longMs: number;
  makespanMs: number;
  serverRequests?: { total: number; perSecond: number; perShortRecord: number };
}
interface ConsumerSummary {
  oneBatchAloneMs: Spread;
  shortP50Ms: Spread;
  shortP95Ms: Spread;
  shortP99Ms: Spread;
  longMs: Spread;
  makespanMs: Spread;
}
interface NetworkSummary {
  worker: ConsumerSummary & { burstAloneP50Ms: Spread; burstAloneP99Ms: Spread };
  sequential: ConsumerSummary;
  serverRequests?: {
    workerPerShortRecord: Spread | undefined;
    workerPerSecond: Spread | undefined;
    sequentialPerSecond: Spread | undefined;
  };
  sequentialOverWorkerP99: Spread;
  workerP99OverOneBatch: Spread;
  workerP99OverBurstAlone?: Spread;
  goals: Record<string, boolean>;
}
/** bench/results/head-of-line.json */
interface Results {
  environment: EnvironmentFacts & { loadAverageAtEnd: number[] };
  settings: typeof settings & Record<string, string | number>;
  summary: Record<string, NetworkSummary>;
  runs: Record<string, Record<Consumer, Run[]>>;
}

const log = (message: string) => console.error(`[head-of-line] ${message}`);
const percentiles = (xs: number[]): Percentiles => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  max: Math.max(...xs),
});

async function measure(
  broker: Broker,
  producer: RequestProducer,
  network: Network,
  consumer: Consumer,
): Promise<Run> {
  const server =
    network === "server" ? await startResonateServer({ kind: "binary", controllable: true }) : undefined;
  const base = uniqueName(`hol-${consumer}`);
  const topics = topicsFor(base);
  await createTopics(broker.bootstrapServers, { [topics.input]: 1, [topics.output]: 1, [topics.dlq]: 1 });
  const longId = `${base}-long-000001`;
  const completions = await watchCompletions(broker.bootstrapServers, topics.output);
  const proc = startNodeProcess(CONSUMERS[consumer].entry, {
    name: consumer,
    nodeArgs: CONSUMERS[consumer].nodeArgs,
    env: {
      KAFKA_BROKERS: broker.bootstrapServers,
      INPUT_TOPIC: topics.input,
      OUTPUT_TOPIC: topics.output,
      DEAD_LETTER_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: `${base}.consumers`,
      RESONATE_URL: server?.url ?? "",
      RESONATE_GROUP: `${base}.resonate`,
      HTTP_PORT: "0",
      BATCH_SLEEP_MS: String(settings.pauseMs),
      // Records of exactly one batch, the long one of exactly --long-batches; no transient errors.
      SIM_TRANSIENT_ERROR_RATE: "0",
      SIM_FINISH_RATE: "1",
      SIM_FIXED_BATCHES: `${longId}=${settings.longBatches}`,
      SIM_SEED: "1",
      LOG_LEVEL: "warn",
    },
  });
  const latency = (r: ProducedRequest, c: SeenCompletion) => c.completedAt - r.requestedAt;
  const one = async (prefix: string) =>
    (await producer.produce(topics.input, prefix, 1))[0] as ProducedRequest;
  const seen = async (r: ProducedRequest, timeoutMs: number) =>
    (await completions.waitFor([r.recordId], timeoutMs))[0] as SeenCompletion;
  try {
    // The first record also waits for the consumer to join its group and the caches to warm.
    await seen(await one(`${base}-warm`), 120_000);
    const solos: number[] = [];
    for (let i = 1; i <= settings.solo; i++) {
      const solo = await one(`${base}-solo${i}`);
      solos.push(latency(solo, await seen(solo, 60_000)));
    }
    // The worker also takes the short records alone, as a burst without the long one before them:
    // what the burst costs by itself, so what the long record adds shows as the difference.
    let burstMs: Percentiles | undefined;
    if (consumer === "worker") {
      const burst = await producer.produce(topics.input, `${base}-burst`, settings.short);
      const burstDone = await completions.waitFor(
        burst.map((r) => r.recordId),
        600_000,
      );
      burstMs = percentiles(burst.map((r, i) => latency(r, burstDone[i] as SeenCompletion)));
    }
    const before = server ? await scrapeResonateRequests(metricsUrlOf(server)) : undefined;
    const long = await one(`${base}-long`);
    const shorts = await producer.produce(topics.input, `${base}-short`, settings.short);
    const all = [long, ...shorts];
    const done = await completions.waitFor(
      all.map((r) => r.recordId),
      600_000,
    );
    const longDone = done[0] as SeenCompletion;
    if (longDone.batches !== settings.longBatches || done.slice(1).some((c) => c.batches !== 1))
      throw new Error("a record did not take the batches it was given");
    const makespanMs = Math.max(...done.map((c) => c.completedAt)) - long.requestedAt;
    let serverRequests: Run["serverRequests"];
    if (server && before) {
      // Counted once the last completion is out: the last workflows' task.fulfill may still be
      // on its way, so this can fall short by a few.
      const after = await scrapeResonateRequests(metricsUrlOf(server));
      const total = [...after].reduce((sum, [kind, n]) => sum + n - (before.get(kind) ?? 0), 0);
      serverRequests = {
        total,
        perSecond: total / (makespanMs / 1000),
        perShortRecord: total / settings.short,
      };
    }
    return {
      soloMs: spread(solos).median,
      solosMs: solos,
      ...(burstMs ? { burstAloneMs: burstMs } : {}),
      shortMs: percentiles(shorts.map((r, i) => latency(r, done[i + 1] as SeenCompletion))),
      longMs: latency(long, longDone),
      makespanMs,
      ...(serverRequests ? { serverRequests } : {}),
    };
  } finally {
    await proc.stop();
    await completions.stop();
    await server?.dispose();
  }
}

const broker = await startBroker();
const probe: ResonateServer | undefined = networks.includes("server")
  ? await startResonateServer({ kind: "binary", controllable: true })
  : undefined;
const environment = await environmentFacts(broker, probe);
await probe?.dispose();
log(
  `${settings.reps} reps; ${settings.longBatches}-batch record then ${settings.short} of one batch on one partition; pause ${settings.pauseMs} ms; load average ${loadAverage().join(" ")}`,
);
const producer = await requestProducer(broker.bootstrapServers);
const runs: Results["runs"] = Object.fromEntries(
  networks.map((n): [string, Record<Consumer, Run[]>] => [n, { worker: [], sequential: [] }]),
);
let exitCode = 0;
try {
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (const network of networks) {
      for (const consumer of ["worker", "sequential"] as const) {
        const run = await measure(broker, producer, network, consumer);
        runs[network]?.[consumer].push(run);
        log(
          `rep ${rep} ${network} ${consumer}: one batch alone ${run.soloMs} ms; short p50/p95/p99 ${run.shortMs.p50}/${run.shortMs.p95}/${run.shortMs.p99} ms; makespan ${run.makespanMs} ms`,
        );
      }
    }
  }
} catch (error) {
  console.error(`head-of-line: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await producer.stop();
  await broker.stop();
}
if (exitCode !== 0) process.exit(exitCode);

const summary: Results["summary"] = Object.fromEntries(
  Object.entries(runs).map(([network, byConsumer]): [string, NetworkSummary] => {
    const of = (consumer: Consumer, pick: (r: Run) => number) => spread(byConsumer[consumer].map(pick));
    const per = (consumer: Consumer): ConsumerSummary => ({
      oneBatchAloneMs: of(consumer, (r) => r.soloMs),
      shortP50Ms: of(consumer, (r) => r.shortMs.p50),
      shortP95Ms: of(consumer, (r) => r.shortMs.p95),
      shortP99Ms: of(consumer, (r) => r.shortMs.p99),
      longMs: of(consumer, (r) => r.longMs),
      makespanMs: of(consumer, (r) => r.makespanMs),
    });
    const worker = {
      ...per("worker"),
      burstAloneP50Ms: of("worker", (r) => r.burstAloneMs?.p50 ?? Number.NaN),
      burstAloneP99Ms: of("worker", (r) => r.burstAloneMs?.p99 ?? Number.NaN),
    };
    const sequential = per("sequential");
    const requests = (consumer: Consumer, key: "perShortRecord" | "perSecond") =>
      byConsumer[consumer][0]?.serverRequests
        ? of(consumer, (r) => r.serverRequests?.[key] ?? Number.NaN)
        : undefined;
    const serverRequests = {
      workerPerShortRecord: requests("worker", "perShortRecord"),
      workerPerSecond: requests("worker", "perSecond"),
      sequentialPerSecond: requests("sequential", "perSecond"),
    };
    // Ratios per rep (the two consumers of one rep ran back to back), then their spread.
    const reps = byConsumer.worker.map((w, i) => ({ w, s: byConsumer.sequential[i] }));
    const sequentialOverWorkerP99 = spread(
      reps.map(({ w, s }) => (s?.shortMs.p99 ?? Number.NaN) / w.shortMs.p99),
    );
    const workerP99OverOneBatch = spread(reps.map(({ w }) => w.shortMs.p99 / w.soloMs));
    const workerP99OverBurstAlone = w0HasBurst(byConsumer.worker)
      ? spread(byConsumer.worker.map((w) => w.shortMs.p99 / (w.burstAloneMs?.p99 ?? Number.NaN)))
      : undefined;
    return [
      network,
      {
        worker,
        sequential,
        ...(serverRequests.workerPerSecond ? { serverRequests } : {}),
        sequentialOverWorkerP99,
        workerP99OverOneBatch,
        ...(workerP99OverBurstAlone ? { workerP99OverBurstAlone } : {}),
        goals: {
          p99AtLeast50xLower: sequentialOverWorkerP99.median >= 50,
          p99Within3xOfOneBatch: workerP99OverOneBatch.median <= 3,
          ...(workerP99OverBurstAlone
            ? { p99Within1_5xOfBurstAlone: workerP99OverBurstAlone.median <= 1.5 }
            : {}),
        },
      },
    ];
  }),
);
/** Whether the worker's runs measured the short records alone (the burst before the load). */
function w0HasBurst(runs: Run[]): boolean {
  return runs.every((r) => r.burstAloneMs !== undefined);
}

const results: Results = {
  environment: { ...environment, loadAverageAtEnd: loadAverage() },
  settings: {
    ...settings,
    partitions: 1,
    batchPause: "throttle (default)",
    latency: "completedAt of the completion minus requestedAt of the request (the same machine's clock)",
    makespan: "requestedAt of the long record to the last completedAt",
    oneBatchAlone: `median latency of ${settings.solo} records of one batch produced one at a time with nothing else running, same process, before the load`,
    burstAlone: `the worker only, before the load: the ${settings.short} short records produced at once without the long one`,
    serverRequests:
      "resonate_request_total (all kinds) answered from the long record's produce to the last completion, per short record and per second of the makespan",
    workerSettings: "defaults (MAX_IN_FLIGHT 500, MAX_RUNNING 1000, LOG_LEVEL warn)",
  },
  summary,
  runs,
};
const markdown = renderMarkdown(results);
await writeResults(cli.resultsDir, "head-of-line", results, markdown);
console.log(markdown);
process.exit(0);

/** For results measured before the per-run ratio was kept: the ratio of the two medians. */
function ratioOfMedians(a: Spread, b: Spread): Spread {
  const median = a.median / b.median;
  return { median, min: median, max: median, runs: 1 };
}

function renderMarkdown(r: Results): string {
  const e = r.environment;
  const s = r.settings;
  const nets = Object.keys(r.summary);
  const at = (n: string) => r.summary[n] as NetworkSummary;
  const ms = (x: number) => (x >= 10_000 ? `${round(x / 1000, 1)} s` : `${Math.round(x)} ms`);
  const cell = (sp: Spread | undefined, fmt = ms) =>
    !sp ? "–" : sp.runs > 1 ? `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})` : fmt(sp.median);
  const count = (x: number) => `${Math.round(x)}`;
  const times = (x: number) => `${round(x, 1)}×`;
  const row = (label: string, pick: (x: NetworkSummary) => Spread | undefined, fmt?: (x: number) => string) =>
    `| ${label} | ${nets.map((n) => cell(pick(at(n)), fmt)).join(" | ")} |`;
  const goal = (key: string) => nets.map((n) => `${n}: ${at(n).goals[key] ? "met" : "not met"}`).join(", ");
  return `${[
    "# Head-of-line: short records behind a long one",
    "",
    `${e.cores} cores (${e.cpu}), ${e.memoryGiB} GiB, Node ${e.node}; broker: ${e.broker}; Resonate server: ${e.server ?? "not used"}. Measured ${e.date}, load average ${e.loadAverage.join(" / ")} at the start and ${e.loadAverageAtEnd.join(" / ")} at the end (${e.shared}).`,
    "",
    `One record of ${s.longBatches} batches produced first, then ${s.short} records of one batch, all on one partition; batch pause ${s.pauseMs} ms (the default throttle pause, scaled down from 5 s); no transient errors (simulated store, seed 1). Latency: ${s.latency}. Makespan: ${s.makespan}. One batch alone: ${s.oneBatchAlone}. Short records alone: ${s.burstAlone}. Server requests: ${s.serverRequests}. Worker: ${s.workerSettings}. A fresh server per measurement. Median over ${s.reps} reps (min–max).`,
    "",
    `| | ${nets.join(" | ")} |`,
    `|---|${nets.map(() => "---:").join("|")}|`,
    row("one batch alone (this worker)", (x) => x.worker.oneBatchAloneMs),
    row("one batch alone (sequential consumer)", (x) => x.sequential.oneBatchAloneMs),
    row("**this worker**: short p50", (x) => x.worker.shortP50Ms),
    row("this worker: short p95", (x) => x.worker.shortP95Ms),
    row("this worker: short p99", (x) => x.worker.shortP99Ms),
    row("this worker: the long record", (x) => x.worker.longMs),
    row("this worker: makespan", (x) => x.worker.makespanMs),
    row(
      `this worker, the ${s.short} short records alone (no long one): p50`,
      (x) => x.worker.burstAloneP50Ms,
    ),
    row("this worker, short records alone: p99", (x) => x.worker.burstAloneP99Ms),
    row(
      "server requests per short record (this worker)",
      (x) => x.serverRequests?.workerPerShortRecord,
      count,
    ),
    row("server requests per second (this worker)", (x) => x.serverRequests?.workerPerSecond, count),
    row("server requests per second (sequential)", (x) => x.serverRequests?.sequentialPerSecond, count),
    row("**sequential consumer**: short p50", (x) => x.sequential.shortP50Ms),
    row("sequential: short p95", (x) => x.sequential.shortP95Ms),
    row("sequential: short p99", (x) => x.sequential.shortP99Ms),
    row("sequential: the long record", (x) => x.sequential.longMs),
    row("sequential: makespan", (x) => x.sequential.makespanMs),
    row("short p99: sequential / this worker (goal ≥ 50×)", (x) => x.sequentialOverWorkerP99, times),
    row("short p99 of this worker / one batch alone (goal ≤ 3×)", (x) => x.workerP99OverOneBatch, times),
    row(
      "short p99 of this worker / the same short records alone (goal ≤ 1.5×)",
      (x) => x.workerP99OverBurstAlone ?? ratioOfMedians(x.worker.shortP99Ms, x.worker.burstAloneP99Ms),
      times,
    ),
    "",
    `Goals (medians): short-record p99 at least 50× lower than the sequential consumer's: ${goal("p99AtLeast50xLower")}; within 3× of one batch alone: ${goal("p99Within3xOfOneBatch")}; within 1.5× of the same short records alone (the long record costs them nothing): ${nets.map((n) => `${n}: ${(at(n).workerP99OverBurstAlone ?? ratioOfMedians(at(n).worker.shortP99Ms, at(n).worker.burstAloneP99Ms)).median <= 1.5 ? "met" : "not met"}`).join(", ")}.`,
  ].join("\n")}\n`;
}
