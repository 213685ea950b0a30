#!/usr/bin/env node
// Benchmarks against a real Resonate server: the test kit's (the pinned v0.9.8 binary, SQLite, its
// default flags), a fresh one per measurement so runs do not share a database.
//
//  ops       server requests per record, by kind, counted from the server's own metrics
//            (resonate_request_total) before and after records of exactly 1, 10, 100 and 500
//            batches (no transient errors), for both pauses;
//  dispatch  requests from the topic to durably started workflows, counted on the server
//            (task.create over time): this worker against the naive pattern (one awaited
//            beginRun per message), 3,000 requests on 6 partitions, batch pause 5 s, with the
//            server on this machine and behind a proxy that adds a round trip (--rtt-ms);
//  ceiling   the server's own promise.create rate with 1, 16, 64 and 256 requests in flight.
//
// Writes bench/results/server-bench.{json,md} and bench/results/requests-per-record.svg.
// Nothing here is a test: the numbers depend on the machine and on what else runs on it.
//
// Usage: pnpm bench server-cost [--only ops,dispatch,ceiling] [--reps 3] [--count 3000,20000]
//                               [--full] [--rtt-ms 0,10]
//   dispatch: the first count at every round trip, further counts at the first round trip only.
//   --full: also the durable pause at 500 batches (about 10 minutes more: one resume a second).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  produceDeletionRequests,
} from "@deletion/kafka";
import type { ResonateServer } from "@deletion/local-stack";
import { SimulatedRecordStore } from "@deletion/record-store";
import { createResonateClient } from "@deletion/resonate-client";
import {
  type Broker,
  scrapeResonateRequests,
  startBroker,
  startResonateServer,
  uniqueName,
} from "@deletion/test-kit";
import { type BatchPauseMode, registerDeletionWorkflow } from "@deletion/workflows";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { startLatencyProxy } from "../harness/latency-proxy.ts";
import {
  loadAverage,
  type MachineFacts,
  machineFacts,
  metricsUrlOf,
  serverVersion,
} from "../harness/machine.ts";
import { childScript, TS_NODE_ARGS, WORKER_MAIN } from "../harness/paths.ts";
import { cpuSeconds, exited } from "../harness/process.ts";
import { readResults, writeResultFile, writeResults } from "../harness/results.ts";
import { round, type Spread, sleep, spread } from "../harness/stats.ts";
import { logLogChart, type Series } from "../harness/svg-plot.ts";

const USAGE = `Usage: pnpm bench server-cost [options]

  --only LIST       sections: ops, dispatch, ceiling (default all three), or render (rewrite the
                    markdown and the plot from the last results)
  --reps N          runs of each measurement (default 3)
  --count LIST      dispatch: requests per run; the first at every round trip, the others at the
                    first round trip only (default 3000,20000)
  --rtt-ms LIST     dispatch: round trips added by a proxy in front of the server (default 0,10)
  --full            ops: also the durable pause at 500 batches (about 10 minutes more)
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/server-bench.{json,md} and requests-per-record.svg.`;
const cli = benchCli("server-cost", USAGE, {
  only: { type: "string", default: "ops,dispatch,ceiling" },
  reps: { type: "string", default: "3" },
  count: { type: "string", default: "3000,20000" },
  full: { type: "boolean", default: false },
  "rtt-ms": { type: "string", default: "0,10" },
  ...RESULTS_DIR_FLAG,
});
const values = cli.values;
// Dispatch is measured once per round trip: 0 (the server on this machine) and a server a
// network hop away (a proxy that delays every byte), where one awaited start per message pays
// the whole round trip each time.
const roundTrips = cli.integers("rtt-ms", 0);
// "render" alone writes the markdown and the plot again from the last results.
const sections = new Set(cli.oneOf("only", ["ops", "dispatch", "ceiling", "render"] as const));
const reps = cli.integer("reps");
// The first count is measured at every round trip; further ones (e.g. 20,000) at the first only.
const counts = cli.integers("count");
let count = counts[0] as number;

const resultsDir = cli.resultsDir;
const log = (message: string) => console.error(`[server-bench] ${message}`);
const median = (xs: number[]) => spread(xs).median;

/** Requests per kind the server answered while `work` ran. */
async function countRequests<T>(
  server: ResonateServer,
  work: () => Promise<T>,
): Promise<{ delta: Record<string, number>; value: T }> {
  const before = await scrapeResonateRequests(metricsUrlOf(server));
  const value = await work();
  const after = await scrapeResonateRequests(metricsUrlOf(server));
  const delta: Record<string, number> = {};
  for (const [kind, n] of after)
    if (n - (before.get(kind) ?? 0) > 0) delta[kind] = n - (before.get(kind) ?? 0);
  return { delta, value };
}

// ---------------------------------------------------------------------------------------------
// ops: server requests per record

interface ShapeSpec {
  name: BatchPauseMode;
  label: string;
  shape: { batchPause: BatchPauseMode };
}
const SHAPES: [ShapeSpec, ShapeSpec] = [
  { name: "throttle", label: "--batch-pause throttle (default)", shape: { batchPause: "throttle" } },
  { name: "durable", label: "--batch-pause durable", shape: { batchPause: "durable" } },
];
const OPS_BATCHES = [1, 10, 100, 500];
/**
 * The throttle's requests do not depend on its pause, so it runs with a small one. A durable pause
 * must outlast the requests that lead to the suspend (else the timer is already due and nothing
 * suspends), so those run with 200 ms, and resume on the server's timeout scan (once a second).
 */
const OPS_PAUSE_MS: Record<BatchPauseMode, number> = { throttle: 5, durable: 200 };

interface OpsPoint {
  batches: number;
  records: number;
  total: Spread;
  perBatch: number;
  perKind: Record<string, number>;
  recordsPerSecond: Spread;
}
interface OpsShape {
  name: BatchPauseMode;
  label: string;
  points: OpsPoint[];
}
interface Section {
  measuredAt?: string;
  loadAverageAtStart?: number[];
}
interface OpsResults extends Section {
  pauseMs: Record<string, number>;
  shapes: OpsShape[];
}

function opsPlan(
  shapeName: BatchPauseMode,
  batches: number,
): { rounds: number; records: number } | undefined {
  if (shapeName === "durable" && batches >= 500 && !values.full) return undefined;
  const rounds = batches >= 100 && shapeName !== "throttle" ? 1 : reps;
  return { rounds, records: batches >= 100 ? 2 : 3 };
}

async function opsForShape(spec: ShapeSpec): Promise<OpsShape> {
  const server = await startResonateServer({ kind: "binary", controllable: true });
  const group = uniqueName("bench-ops");
  const client = createResonateClient({
    url: server.url,
    group,
    pid: `${group}-1`,
    ttlMs: 30_000,
    logLevel: "error",
  });
  const fixed = new Map<string, number>();
  // As the worker wires it (apps/deletor-worker/src/main.ts): the first attempt is created
  // before anything is looked up.
  const runtime = registerDeletionWorkflow(client.resonate, {
    taskCreates: client.taskCreates,
    localRuns: client.localRuns,
    store: new SimulatedRecordStore({ transientErrorRate: 0, fixedBatches: fixed }),
    publisher: { publishCompleted: async () => {}, publishFailed: async () => {} },
    shape: { ...spec.shape, segmentGroup: group },
  });
  const points: OpsPoint[] = [];
  try {
    await sleep(500); // the poll connection
    for (const batches of OPS_BATCHES) {
      const plan = opsPlan(spec.name, batches);
      if (!plan) continue;
      const rounds: {
        total: number;
        perKind: Record<string, number>;
        seconds: number;
        recordsPerSecond: number;
      }[] = [];
      for (let r = 0; r < plan.rounds; r++) {
        const ids = Array.from({ length: plan.records }, (_, i) => `${group}-b${batches}-r${r}-${i}`);
        for (const id of ids) fixed.set(id, batches);
        const started = performance.now();
        const { delta } = await countRequests(server, () =>
          Promise.all(
            ids.map(async (recordId, i) => {
              const start = await runtime.begin({
                recordId,
                requestedAt: new Date().toISOString(),
                source: { topic: "bench", partition: 0, offset: String(i) },
                batchSleepMs: OPS_PAUSE_MS[spec.name],
              });
              const end = start.kind === "started" ? await start.end() : start;
              if (end.kind !== "finished" || !("outcome" in end) || end.outcome.batches !== batches)
                throw new Error(`record ${recordId}: ${JSON.stringify(end)}`);
            }),
          ),
        );
        const seconds = (performance.now() - started) / 1000;
        const perKind = Object.fromEntries(Object.entries(delta).map(([k, n]) => [k, n / plan.records]));
        const total = Object.values(perKind).reduce((a, b) => a + b, 0);
        rounds.push({ total, perKind, seconds, recordsPerSecond: plan.records / seconds });
      }
      const kinds = [...new Set(rounds.flatMap((r) => Object.keys(r.perKind)))].sort();
      const point: OpsPoint = {
        batches,
        records: plan.records,
        total: spread(rounds.map((r) => r.total)),
        perBatch: round(median(rounds.map((r) => r.total)) / batches, 2),
        perKind: Object.fromEntries(kinds.map((k) => [k, median(rounds.map((r) => r.perKind[k] ?? 0))])),
        recordsPerSecond: spread(rounds.map((r) => r.recordsPerSecond)),
      };
      points.push(point);
      log(
        `ops ${spec.name} ${batches} batches: ${round(point.total.median)} requests a record ${JSON.stringify(point.perKind)}`,
      );
    }
  } finally {
    await client.resonate.stop();
    await server.dispose();
  }
  return { name: spec.name, label: spec.label, points };
}

async function ops(): Promise<OpsResults> {
  log(
    `ops: records of ${OPS_BATCHES.join(", ")} batches, pauses ${JSON.stringify(OPS_PAUSE_MS)} ms, no transient errors`,
  );
  // The throttle runs alone (its records per second mean something); the durable pause waits
  // on the server's 1 s timeout scan, not on the CPU.
  const throttle = await opsForShape(SHAPES[0]);
  const durable = await opsForShape(SHAPES[1]);
  return { pauseMs: OPS_PAUSE_MS, shapes: [throttle, durable] };
}

// ---------------------------------------------------------------------------------------------
// dispatch: this worker against the naive pattern

const DISPATCH_PARTITIONS = 6;
const RUNNING_UNBOUNDED = 1_000_000;

async function produceRequests(broker: Broker, topic: string, idPrefix: string): Promise<void> {
  const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "server-bench" });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions: DISPATCH_PARTITIONS, replicationFactor: 1 }], 30_000);
  await admin.disconnect();
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  await produceDeletionRequests(producer, { topic, count, idPrefix });
  await producer.disconnect();
}

/** Polls the server's task.create count until `count` more were answered; the start time series. */
interface Starts {
  seconds: number;
  perSecond: number;
  inFirst5s: number;
  firstStartAt: number;
}
interface DispatchRun extends Starts {
  dispatcherCpu: number | undefined;
  requestsWhileDispatching: Record<string, number>;
}

async function watchStarts(server: ResonateServer, child: ChildProcess): Promise<Starts> {
  const metricsUrl = metricsUrlOf(server);
  const base = (await scrapeResonateRequests(metricsUrl)).get("task.create") ?? 0;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const series: [number, number][] = [];
  const deadline = performance.now() + 600_000;
  for (;;) {
    const now = performance.now();
    const counts = await scrapeResonateRequests(metricsUrl);
    const started = (counts.get("task.create") ?? 0) - base;
    series.push([now, started]);
    if (started >= count) break;
    if (exited) throw new Error(`the dispatcher exited after ${started} starts`);
    if (now > deadline) throw new Error(`only ${started} of ${count} started in 10 minutes`);
    await sleep(100);
  }
  const first = series.find(([, n]) => n > 0) as [number, number];
  const last = series.at(-1) as [number, number];
  const seconds = (last[0] - first[0]) / 1000;
  const inFirst5s = series.filter(([t]) => t - first[0] <= 5_000).at(-1)?.[1] ?? 0;
  return { seconds, perSecond: count / seconds, inFirst5s, firstStartAt: first[0] };
}

type Dispatcher = "worker" | "naive";

async function dispatchRun(broker: Broker, mode: Dispatcher, rttMs: number): Promise<DispatchRun> {
  const server = await startResonateServer({ kind: "binary", controllable: true });
  const proxy = rttMs > 0 ? await startLatencyProxy(server.url, rttMs) : undefined;
  const base = uniqueName(`bench-${mode}`);
  const topic = `${base}.requests`;
  try {
    await produceRequests(broker, topic, base);
    const env = {
      ...process.env,
      KAFKA_BROKERS: broker.bootstrapServers,
      INPUT_TOPIC: topic,
      KAFKA_GROUP_ID: `${base}.workers`,
      RESONATE_URL: proxy?.url ?? server.url,
      RESONATE_GROUP: `${base}.resonate`,
      BATCH_SLEEP_MS: "5000",
      SIM_SEED: "1",
    };
    const entry = mode === "worker" ? [WORKER_MAIN] : [...TS_NODE_ARGS, childScript("naive-consumer.ts")];
    const child = spawn(process.execPath, entry, {
      env: {
        ...env,
        OUTPUT_TOPIC: `${base}.completions`,
        DEAD_LETTER_TOPIC: `${base}.dlq`,
        HTTP_PORT: "0",
        LOG_LEVEL: "warn",
        // The worker's bound on workflows it runs (MAX_RUNNING, default 1,000; reading resumes at
        // half of it) would otherwise set the pace once records pile up: this measures how fast
        // it starts them, so the bound is out of reach.
        MAX_RUNNING: String(RUNNING_UNBOUNDED),
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      // The dispatcher's own CPU while it dispatches: near 1.0 means its one thread sets the pace.
      const cpuBefore = await cpuSeconds(child.pid);
      const { delta, value } = await countRequests(server, () => watchStarts(server, child));
      const cpuAfter = await cpuSeconds(child.pid);
      const cpu =
        cpuBefore !== undefined && cpuAfter !== undefined
          ? round((cpuAfter - cpuBefore) / ((performance.now() - value.firstStartAt) / 1000), 2)
          : undefined;
      return { ...value, dispatcherCpu: cpu, requestsWhileDispatching: delta };
    } finally {
      child.kill("SIGKILL");
      await exited(child);
    }
  } finally {
    await proxy?.close();
    await server.dispose();
  }
}

interface DispatchSummary {
  perSecond: Spread;
  inFirst5s: Spread;
  dispatcherCpu?: Spread;
  serverRequestsPerSecond?: Spread;
  runs: DispatchRun[];
}
interface DispatchAt extends Section {
  rttMs: number;
  count: number;
  partitions: number;
  broker: string;
  workerSettings?: Record<string, string>;
  worker: DispatchSummary;
  naive: DispatchSummary;
}
interface DispatchResults extends Section {
  roundTrips?: DispatchAt[];
}

async function dispatch(): Promise<DispatchResults> {
  const variants = [
    ...roundTrips.map((rttMs) => ({ rttMs, requests: counts[0] })),
    ...counts.slice(1).map((requests) => ({ rttMs: roundTrips[0] as number, requests })),
  ];
  const byRoundTrip: DispatchAt[] = [];
  for (const { rttMs, requests } of variants) {
    count = requests;
    byRoundTrip.push({ rttMs, ...(await dispatchAt(rttMs)) });
  }
  count = counts[0] as number;
  return { roundTrips: byRoundTrip };
}

async function dispatchAt(rttMs: number): Promise<Omit<DispatchAt, "rttMs">> {
  const broker = await startBroker();
  log(
    `dispatch: ${count} requests on ${DISPATCH_PARTITIONS} partitions, ${broker.kind} broker, batch pause 5 s, round trip to the server +${rttMs} ms`,
  );
  const runs: Record<Dispatcher, DispatchRun[]> = { worker: [], naive: [] };
  try {
    for (let r = 0; r < reps; r++) {
      for (const mode of ["worker", "naive"] as const) {
        const run = await dispatchRun(broker, mode, rttMs);
        runs[mode].push(run);
        log(
          `dispatch ${mode} run ${r + 1}: ${round(run.perSecond)} starts/s (${run.inFirst5s} in the first 5 s), its CPU ${run.dispatcherCpu} of a core`,
        );
      }
    }
  } finally {
    await broker.stop();
  }
  const summary = (mode: Dispatcher): DispatchSummary => ({
    perSecond: spread(runs[mode].map((r) => r.perSecond)),
    inFirst5s: spread(runs[mode].map((r) => r.inFirst5s)),
    dispatcherCpu: spread(runs[mode].map((r) => r.dispatcherCpu ?? 0)),
    serverRequestsPerSecond: spread(
      runs[mode].map((r) => Object.values(r.requestsWhileDispatching).reduce((a, b) => a + b, 0) / r.seconds),
    ),
    runs: runs[mode],
  });
  return {
    count,
    partitions: DISPATCH_PARTITIONS,
    broker: broker.kind,
    workerSettings: {
      MAX_IN_FLIGHT: "500 (default)",
      MAX_RUNNING: `${RUNNING_UNBOUNDED} (out of reach)`,
      BATCH_PAUSE: "throttle (default)",
    },
    worker: summary("worker"),
    naive: summary("naive"),
  };
}

// ---------------------------------------------------------------------------------------------
// ceiling: the server's own promise.create rate

const CEILING_CONCURRENCY = [1, 16, 64, 256];
const CEILING_SECONDS = 3;

/** The request bodies of the SDK's protocol (version "2026-04-01", as SDK 0.11.5 sends it). */
const CEILING_REQUESTS: Record<string, (id: string) => unknown> = {
  "promise.create": (id) => ({
    kind: "promise.create",
    head: { corrId: randomUUID(), version: "2026-04-01" },
    data: { id, timeoutAt: Date.now() + 3_600_000, param: { headers: {}, data: "" }, tags: {} },
  }),
  // What beginRun sends: a promise and its task, claimed by the sender (here for an hour).
  "task.create": (id) => ({
    kind: "task.create",
    head: { corrId: randomUUID(), version: "2026-04-01" },
    data: {
      pid: "bench-ceiling",
      ttl: 3_600_000,
      action: {
        kind: "promise.create",
        head: { corrId: randomUUID(), version: "2026-04-01" },
        data: {
          id,
          timeoutAt: Date.now() + 3_600_000,
          param: { headers: {}, data: "" },
          tags: {
            "resonate:origin": id,
            "resonate:branch": id,
            "resonate:parent": id,
            "resonate:scope": "global",
            // Nobody polls this group: the task stays claimed by the sender and is never delivered.
            "resonate:target": "poll://any@bench-ceiling-nobody",
          },
        },
      },
    },
  }),
};

async function createRate(url: string, kind: string, concurrency: number): Promise<number> {
  const request = CEILING_REQUESTS[kind];
  if (!request) throw new Error(`no ceiling request ${kind}`);
  const end = performance.now() + CEILING_SECONDS * 1000;
  let done = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request(`bench-ceiling/${randomUUID()}`)),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${kind} answered ${response.status}: ${text}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((performance.now() - started) / 1000);
}

interface CeilingResults extends Section {
  seconds: number;
  byKind: Record<string, Record<string, Spread>>;
}

async function ceiling(): Promise<CeilingResults> {
  const rates: Record<string, Record<string, number[]>> = {};
  for (let r = 0; r < reps; r++) {
    const server = await startResonateServer({ kind: "binary", controllable: true });
    try {
      for (const kind of Object.keys(CEILING_REQUESTS)) {
        for (const c of CEILING_CONCURRENCY) {
          const rate = await createRate(server.url, kind, c);
          rates[kind] ??= {};
          const byConcurrency = rates[kind];
          byConcurrency[c] ??= [];
          byConcurrency[c].push(rate);
          log(`ceiling run ${r + 1}: ${c} in flight: ${round(rate)} ${kind}/s`);
        }
      }
    } finally {
      await server.dispose();
    }
  }
  return {
    seconds: CEILING_SECONDS,
    byKind: Object.fromEntries(
      Object.entries(rates).map(([kind, byC]) => [
        kind,
        Object.fromEntries(Object.entries(byC).map(([c, xs]) => [c, spread(xs)])),
      ]),
    ),
  };
}

// ---------------------------------------------------------------------------------------------

interface Machine {
  cores: number;
  cpu: string | undefined;
  memoryGiB: number;
  node: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  server: string;
  date: string;
}
/** bench/results/server-bench.json */
interface Results {
  machine: Machine;
  ops?: OpsResults;
  dispatch?: DispatchResults & Partial<DispatchAt>;
  ceiling?: CeilingResults;
}

const previous = (await readResults<Partial<Results>>(resultsDir, "server-bench")) ?? {};
const probe = sections.has("render")
  ? undefined
  : await startResonateServer({ kind: "binary", controllable: true });
const facts: MachineFacts = machineFacts();
const machine: Machine | undefined = probe && {
  cores: facts.cores,
  cpu: facts.cpu,
  memoryGiB: facts.memoryGiB,
  node: facts.node,
  loadAverageAtStart: facts.loadAverage,
  server: `${await serverVersion(probe)}, ${probe.kind}, SQLite, default flags (timeouts scanned every 1 s)`,
  date: facts.date,
};
await probe?.dispose();

// A run of some sections keeps the others' last results; each section says when it was measured.
const lastMachine = machine ?? previous.machine;
if (!lastMachine) {
  console.error(`server-cost: no results to render in ${new URL("server-bench.json", resultsDir).pathname}`);
  process.exit(1);
}
const results: Results = { ...previous, machine: lastMachine };
const measured = async <T extends Section>(work: () => Promise<T>): Promise<T> => {
  const at = new Date().toISOString();
  const load = loadAverage();
  return { measuredAt: at, loadAverageAtStart: load, ...(await work()) };
};
if (sections.has("ops")) results.ops = await measured(ops);
if (sections.has("dispatch")) results.dispatch = await measured(dispatch);
if (sections.has("ceiling")) results.ceiling = await measured(ceiling);
if (machine) machine.loadAverageAtEnd = loadAverage();

const markdown = renderMarkdown(results);
await writeResults(resultsDir, "server-bench", results, markdown);
if (results.ops) await writeResultFile(resultsDir, "requests-per-record.svg", renderPlot(results.ops));
console.log(markdown);
process.exit(0);

function renderPlot(opsResults: OpsResults): string {
  const colors: Record<BatchPauseMode, string> = { throttle: "#2471a3", durable: "#1e8449" };
  const series: Series[] = opsResults.shapes.map((s) => ({
    label: s.label,
    color: colors[s.name],
    points: s.points.map((p): [number, number] => [p.batches, p.total.median]),
  }));
  series.push({
    label: "goal: 4 + 2 per further batch",
    color: "#888",
    dashed: true,
    markers: false,
    points: [1, 10, 100, 500].map((b): [number, number] => [b, 4 + 2 * (b - 1)]),
  });
  return logLogChart({
    title: "Resonate server requests per record (v0.9.8, SQLite)",
    xLabel: "batches per record",
    yLabel: "server requests per record",
    xTicks: [1, 10, 100, 500],
    yTicks: [1, 10, 100, 1000, 10000],
    series,
  });
}

function measuredLine(section: Section): string {
  return section.measuredAt
    ? `Measured ${section.measuredAt}, load average ${(section.loadAverageAtStart ?? []).join(" / ")} at the start.`
    : "";
}

function renderMarkdown(r: Results): string {
  const m = r.machine;
  const lines = [
    "# Server benchmarks",
    "",
    `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}; Resonate ${m.server}; broker: the test kit's (local Apache Kafka without Docker). Other work on the machine makes these numbers noisy: each section gives the load average it started with.`,
    "",
  ];
  if (r.ops) {
    const kinds = [
      "task.create",
      "task.fence",
      "task.acquire",
      "task.suspend",
      "task.fulfill",
      "promise.get",
      "promise.register_listener",
    ];
    lines.push(
      "## Server requests per record (records of exactly b batches, no transient errors)",
      "",
      measuredLine(r.ops),
      "",
      `Median over the runs (min–max when more than one); per kind: medians. \`task.fence\` carries every step's and timer's create and every step's settle. Pause between batches: ${Object.entries(
        r.ops.pauseMs,
      )
        .map(([k, v]) => `${k} ${v} ms`)
        .join(
          ", ",
        )} (a throttle's requests do not depend on it; a durable pause must outlast the requests before its suspend, and resumes on the server's timeout scan, once a second). Records/s: end to end, the records of one run side by side.`,
      "",
      `| shape | batches | runs × records | requests / record | per batch | ${kinds.map((k) => `\`${k}\``).join(" | ")} | records/s |`,
      `|---|---:|---|---:|---:|${kinds.map(() => "---:").join("|")}|---:|`,
    );
    for (const s of r.ops.shapes) {
      for (const p of s.points) {
        const total =
          p.total.runs > 1 && p.total.max !== p.total.min
            ? `${round(p.total.median)} (${round(p.total.min)}–${round(p.total.max)})`
            : `${round(p.total.median)}`;
        lines.push(
          `| ${s.name} | ${p.batches} | ${p.total.runs} × ${p.records} | ${total} | ${p.perBatch} | ${kinds.map((k) => round(p.perKind[k] ?? 0, 2)).join(" | ")} | ${round(p.recordsPerSecond.median, 2)} |`,
        );
      }
    }
    lines.push("", "![requests per record](requests-per-record.svg)", "");
  }
  if (r.dispatch) {
    const sumOf = (kinds: Record<string, number>) => Object.values(kinds).reduce((a, b) => a + b, 0);
    const requestsPerSecond = (s: DispatchSummary) =>
      s.serverRequestsPerSecond ??
      spread(s.runs.map((run) => sumOf(run.requestsWhileDispatching) / run.seconds));
    const perStart = (s: DispatchSummary, requests: number) => {
      const kinds = ["task.create", "promise.get", "promise.register_listener"];
      const sums = Object.fromEntries(kinds.map((k) => [k, 0]));
      for (const run of s.runs)
        for (const k of kinds) sums[k] += (run.requestsWhileDispatching[k] ?? 0) / requests;
      return kinds
        .map(
          (k) =>
            `${k.replace(/^promise\./, "").replace(/^task\./, "task.")} ${round(sums[k] / s.runs.length, 2)}`,
        )
        .join(", ");
    };
    const row = (name: string, s: DispatchSummary, d: DispatchAt) =>
      `| ${name} | ${round(s.perSecond.median)} (${round(s.perSecond.min)}–${round(s.perSecond.max)}) | ${s.inFirst5s.median} (${s.inFirst5s.min}–${s.inFirst5s.max}) | ${round(requestsPerSecond(s).median, 0)} | ${perStart(s, d.count)} | ${s.dispatcherCpu?.median ?? ""} | ${s.perSecond.runs} |`;
    // Results from before the round-trip variants had one dispatch section of their own.
    const variants = r.dispatch.roundTrips ?? [{ ...(r.dispatch as DispatchAt), rttMs: 0 }];
    for (const d of variants) {
      lines.push(
        `## Dispatch: ${d.count} requests on ${d.partitions} partitions to started workflows (${d.broker} broker, batch pause 5 s, round trip to the server ${d.rttMs > 0 ? `+${d.rttMs} ms through a delaying proxy` : "on this machine"})`,
        "",
        measuredLine(d.measuredAt ? d : r.dispatch),
        "",
        `Counted on the server: \`task.create\` answered per second, first start to last. Worker settings: ${Object.entries(
          d.workerSettings ?? {},
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ", ",
          )}. Requests per start: what the server answered while dispatching, per request (the running workflows' own \`task.fence\` and \`task.fulfill\` come on top). Its CPU: CPU seconds of the dispatching process per second of dispatch (one Node thread: 1.0 is all it can get).`,
        "",
        "| dispatcher | starts/s, median (min–max) | started in the first 5 s | server requests/s meanwhile (all kinds) | requests per start | its CPU (cores) | runs |",
        "|---|---:|---:|---:|---|---:|---:|",
        row("this worker (pipelined)", d.worker, d),
        row("naive: one awaited beginRun per message", d.naive, d),
        "",
        `This worker / naive: ${round(d.worker.perSecond.median / d.naive.perSecond.median, 2)}×.`,
        "",
      );
    }
  }
  if (r.ceiling) {
    const kinds = Object.keys(r.ceiling.byKind);
    const byKind = r.ceiling.byKind;
    const first = byKind[kinds[0] as string] ?? {};
    const levels = Object.keys(first);
    const cell = (s: Spread | undefined) =>
      s === undefined ? "–" : `${round(s.median)} (${round(s.min)}–${round(s.max)})`;
    lines.push(
      `## The server's own create rate (raw requests, ${r.ceiling.seconds} s each, a fresh server per run)`,
      "",
      measuredLine(r.ceiling),
      "",
      `| requests in flight | ${kinds.map((k) => `\`${k}\`/s, median (min–max)`).join(" | ")} | runs |`,
      `|---:|${kinds.map(() => "---:").join("|")}|---:|`,
      ...levels.map(
        (c) => `| ${c} | ${kinds.map((k) => cell(byKind[k]?.[c])).join(" | ")} | ${first[c]?.runs ?? ""} |`,
      ),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
