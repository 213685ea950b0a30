#!/usr/bin/env node
// Head-of-line: one record of many batches produced first, then many records of one batch, all on
// one partition. How long the short records wait behind the long one, for this worker (which does
// not wait for a workflow before starting the next) and for a sequential consumer that awaits each
// record's deletion (sequential-consumer.mjs: the same workflow, store and settings), against a
// real Resonate server (the test kit's, a fresh one per measurement) and the in-process network.
//
// Latency of a record: its completion's completedAt minus its request's requestedAt (both taken on
// this machine's clock: the producer stamps the request as it makes it, the workflow's completion
// step stamps the completion). Makespan: the long record's requestedAt to the last completedAt.
// "One batch alone": the latency of a record of one batch produced while nothing else runs, by
// the same process just before the load (median of --solo such records, one at a time).
// Nothing here is a test: the numbers depend on the machine and on what else runs on it.
import { readFile } from "node:fs/promises";
import os from "node:os";
import {
  benchArgs,
  percentile,
  scrapeResonateRequests,
  spread,
  startBroker,
  startResonateServer,
  uniqueName,
} from "@deletion/test-kit";
import {
  createTopics,
  environmentFacts,
  RESULTS_DIR,
  requestProducer,
  round,
  startNodeProcess,
  watchCompletions,
  writeResults,
} from "./bench-kit.mjs";

const HELP = `Usage: node bench/head-of-line.mjs [options]

  --reps N          measurements of each consumer and network (default 3)
  --short N         records of one batch produced after the long one (default 200)
  --long-batches N  batches of the long record produced first (default 40)
  --pause-ms N      batch pause, BATCH_SLEEP_MS (default 100; throttle, the default pause)
  --solo N          records of one batch alone, one at a time, before the load (default 5)
  --networks LIST   server,in-process (default both)
  --render          only write the markdown again from the last JSON results
  --help            this text

Writes bench/results/head-of-line.{json,md}. About 1.5 minutes a rep with the defaults.`;

const values = benchArgs("head-of-line", HELP, {
  reps: { type: "string", default: "3" },
  short: { type: "string", default: "200" },
  "long-batches": { type: "string", default: "40" },
  "pause-ms": { type: "string", default: "100" },
  solo: { type: "string", default: "5" },
  networks: { type: "string", default: "server,in-process" },
  render: { type: "boolean", default: false },
});
if (values.render) {
  const last = JSON.parse(await readFile(new URL("head-of-line.json", RESULTS_DIR), "utf8"));
  await writeResults("head-of-line", last, renderMarkdown(last));
  process.exit(0);
}
const settings = {
  reps: Number(values.reps),
  short: Number(values.short),
  longBatches: Number(values["long-batches"]),
  pauseMs: Number(values["pause-ms"]),
  solo: Number(values.solo),
};
const networks = values.networks.split(",").map((s) => s.trim());
if (
  !Object.values(settings).every((n) => Number.isInteger(n) && n >= 0) ||
  settings.reps < 1 ||
  settings.short < 2 ||
  settings.solo < 1 ||
  settings.longBatches < 1 ||
  !networks.every((n) => ["server", "in-process"].includes(n))
) {
  console.error(`head-of-line: bad option\n\n${HELP}`);
  process.exit(2);
}

const CONSUMERS = {
  worker: { label: "this worker", entry: new URL("../dist/main.js", import.meta.url).pathname },
  sequential: {
    label: "sequential consumer (awaits each deletion)",
    entry: new URL("./sequential-consumer.mjs", import.meta.url).pathname,
  },
};
const log = (message) => console.error(`[head-of-line] ${message}`);
const percentiles = (xs) => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  max: Math.max(...xs),
});

async function measure(broker, producer, network, consumer) {
  const server =
    network === "server" ? await startResonateServer({ kind: "binary", controllable: true }) : undefined;
  const base = uniqueName(`hol-${consumer}`);
  const topics = { input: `${base}.requests`, output: `${base}.completions`, dlq: `${base}.dlq` };
  await createTopics(broker.bootstrapServers, { [topics.input]: 1, [topics.output]: 1, [topics.dlq]: 1 });
  const longId = `${base}-long-000001`;
  const completions = await watchCompletions(broker.bootstrapServers, topics.output);
  const proc = startNodeProcess(CONSUMERS[consumer].entry, {
    name: consumer,
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
  const latency = (r, c) => c.completedAt - r.requestedAt;
  try {
    // The first record also waits for the consumer to join its group and the caches to warm.
    const [warm] = await producer.produce(topics.input, `${base}-warm`, 1);
    await completions.waitFor([warm.recordId], 120_000);
    const solos = [];
    for (let i = 1; i <= settings.solo; i++) {
      const [solo] = await producer.produce(topics.input, `${base}-solo${i}`, 1);
      const [c] = await completions.waitFor([solo.recordId], 60_000);
      solos.push(latency(solo, c));
    }
    // The worker also takes the short records alone, as a burst without the long one before them:
    // what the burst costs by itself, so what the long record adds shows as the difference.
    let burstMs;
    if (consumer === "worker") {
      const burst = await producer.produce(topics.input, `${base}-burst`, settings.short);
      const burstDone = await completions.waitFor(
        burst.map((r) => r.recordId),
        600_000,
      );
      burstMs = percentiles(burst.map((r, i) => latency(r, burstDone[i])));
    }
    const before = server ? await scrapeResonateRequests(server.metricsUrl) : undefined;
    const [long] = await producer.produce(topics.input, `${base}-long`, 1);
    const shorts = await producer.produce(topics.input, `${base}-short`, settings.short);
    const all = [long, ...shorts];
    const done = await completions.waitFor(
      all.map((r) => r.recordId),
      600_000,
    );
    if (done[0].batches !== settings.longBatches || done.slice(1).some((c) => c.batches !== 1))
      throw new Error("a record did not take the batches it was given");
    const makespanMs = Math.max(...done.map((c) => c.completedAt)) - long.requestedAt;
    let serverRequests;
    if (server) {
      // Counted once the last completion is out: the last workflows' task.fulfill may still be
      // on its way, so this can fall short by a few.
      const after = await scrapeResonateRequests(server.metricsUrl);
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
      shortMs: percentiles(shorts.map((r, i) => latency(r, done[i + 1]))),
      longMs: latency(long, done[0]),
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
const probe = networks.includes("server")
  ? await startResonateServer({ kind: "binary", controllable: true })
  : undefined;
const environment = await environmentFacts(broker, probe);
await probe?.dispose();
log(
  `${settings.reps} reps; ${settings.longBatches}-batch record then ${settings.short} of one batch on one partition; pause ${settings.pauseMs} ms; load average ${os
    .loadavg()
    .map((l) => round(l, 2))
    .join(" ")}`,
);
const producer = await requestProducer(broker.bootstrapServers);
const runs = Object.fromEntries(
  networks.map((n) => [n, Object.fromEntries(Object.keys(CONSUMERS).map((c) => [c, []]))]),
);
let exitCode = 0;
try {
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (const network of networks) {
      for (const consumer of Object.keys(CONSUMERS)) {
        const run = await measure(broker, producer, network, consumer);
        runs[network][consumer].push(run);
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

const summary = Object.fromEntries(
  Object.entries(runs).map(([network, byConsumer]) => {
    const of = (consumer, pick) => spread(byConsumer[consumer].map(pick));
    const per = (consumer) => ({
      oneBatchAloneMs: of(consumer, (r) => r.soloMs),
      shortP50Ms: of(consumer, (r) => r.shortMs.p50),
      shortP95Ms: of(consumer, (r) => r.shortMs.p95),
      shortP99Ms: of(consumer, (r) => r.shortMs.p99),
      longMs: of(consumer, (r) => r.longMs),
      makespanMs: of(consumer, (r) => r.makespanMs),
    });
    const worker = {
      ...per("worker"),
      burstAloneP50Ms: of("worker", (r) => r.burstAloneMs.p50),
      burstAloneP99Ms: of("worker", (r) => r.burstAloneMs.p99),
    };
    const sequential = per("sequential");
    const requests = (consumer, key) =>
      byConsumer[consumer][0].serverRequests ? of(consumer, (r) => r.serverRequests[key]) : undefined;
    const serverRequests = {
      workerPerShortRecord: requests("worker", "perShortRecord"),
      workerPerSecond: requests("worker", "perSecond"),
      sequentialPerSecond: requests("sequential", "perSecond"),
    };
    // Ratios per rep (the two consumers of one rep ran back to back), then their spread.
    const reps = byConsumer.worker.map((w, i) => ({ w, s: byConsumer.sequential[i] }));
    const sequentialOverWorkerP99 = spread(reps.map(({ w, s }) => s.shortMs.p99 / w.shortMs.p99));
    const workerP99OverOneBatch = spread(reps.map(({ w }) => w.shortMs.p99 / w.soloMs));
    const workerP99OverBurstAlone = w0HasBurst(byConsumer.worker)
      ? spread(byConsumer.worker.map((w) => w.shortMs.p99 / w.burstAloneMs.p99))
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
function w0HasBurst(runs) {
  return runs.every((r) => r.burstAloneMs !== undefined);
}

const results = {
  environment: { ...environment, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
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
await writeResults("head-of-line", results, markdown);
console.log(markdown);
process.exit(0);

/** For results measured before the per-run ratio was kept: the ratio of the two medians. */
function ratioOfMedians(a, b) {
  const median = a.median / b.median;
  return { median, min: median, max: median, runs: 1 };
}

function renderMarkdown(r) {
  const e = r.environment;
  const s = r.settings;
  const nets = Object.keys(r.summary);
  const ms = (x) => (x >= 10_000 ? `${round(x / 1000, 1)} s` : `${Math.round(x)} ms`);
  const cell = (sp, fmt = ms) =>
    !sp ? "–" : sp.runs > 1 ? `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})` : fmt(sp.median);
  const count = (x) => `${Math.round(x)}`;
  const times = (x) => `${round(x, 1)}×`;
  const row = (label, pick, fmt) =>
    `| ${label} | ${nets.map((n) => cell(pick(r.summary[n]), fmt)).join(" | ")} |`;
  const goal = (key) => nets.map((n) => `${n}: ${r.summary[n].goals[key] ? "met" : "not met"}`).join(", ");
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
    `Goals (medians): short-record p99 at least 50× lower than the sequential consumer's: ${goal("p99AtLeast50xLower")}; within 3× of one batch alone: ${goal("p99Within3xOfOneBatch")}; within 1.5× of the same short records alone (the long record costs them nothing): ${nets.map((n) => `${n}: ${(r.summary[n].workerP99OverBurstAlone ?? ratioOfMedians(r.summary[n].worker.shortP99Ms, r.summary[n].worker.burstAloneP99Ms)).median <= 1.5 ? "met" : "not met"}`).join(", ")}.`,
  ].join("\n")}\n`;
}
