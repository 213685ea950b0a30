#!/usr/bin/env node
// Memory per in-flight workflow: the worker's resident memory (and JavaScript heap) after a full
// garbage collection with no workflow in flight (after a warm-up of records that completed), and
// again with --count workflows in flight, divided by --count. In flight = started and not
// finished: records that never run out of rows (SIM_FINISH_RATE 0), whose first batch is done and
// whose second waits out a one-hour pause, the default throttle pause: the workflow holds its task
// and waits in its step. The bounds (MAX_RUNNING, MAX_IN_FLIGHT) are raised above --count.
// Against a real Resonate server (the test kit's, a fresh one per run) and the in-process network;
// also, to show what the throttle's waiting workflow costs, the server with the durable pause
// (BATCH_PAUSE=durable: the workflow suspends on a server timer and the worker keeps only what
// follows its end).
//
// The worker runs as a child process (its dist/main.js, unchanged) with memory-probe.mjs loaded:
// on SIGUSR2 that collects garbage and prints process.memoryUsage(). With --profile, one more run
// per network writes heap snapshots at both points and heap-summary.mjs compares them by object
// kind (its RSS is not used: a snapshot takes memory itself).
// Nothing here is a test: the numbers depend on the machine and on what else runs on it.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LOG_EVENTS } from "@deletion/contracts";
import { idDigits, recordIdFor } from "@deletion/kafka";
import { spread, startBroker, startResonateServer, uniqueName } from "@deletion/test-kit";
import {
  createTopics,
  environmentFacts,
  requestProducer,
  round,
  sleep,
  startNodeProcess,
  writeResults,
} from "./bench-kit.mjs";
import { compareSnapshots } from "./heap-summary.mjs";

const HELP = `Usage: node bench/memory.mjs [options]

  --reps N          runs per network (default 3)
  --count N         workflows in flight (default 10000)
  --warm N          records completed before the idle measurement (default 500)
  --variants LIST   server, in-process (both with the default throttle pause) and
                    server-durable (BATCH_PAUSE=durable); default all three
  --profile         one more run per network with heap snapshots, compared by object kind
  --profile-count N workflows in flight in that run (default 2000: the snapshot stays small
                    enough to parse; what one workflow holds does not depend on how many)
  --profile-dir DIR keep that run's heap snapshots in DIR (e.g. to open in Chrome DevTools);
                    default: a temporary directory, removed
  --help            this text

Writes bench/results/memory.{json,md}. About 2 minutes a server run and 1 an in-process run
with the defaults; --profile adds about 3 minutes.`;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    reps: { type: "string", default: "3" },
    count: { type: "string", default: "10000" },
    warm: { type: "string", default: "500" },
    variants: { type: "string", default: "server,in-process,server-durable" },
    profile: { type: "boolean", default: false },
    "profile-count": { type: "string", default: "2000" },
    "profile-dir": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const reps = Number(values.reps);
const count = Number(values.count);
const warm = Number(values.warm);
const profileCount = Number(values["profile-count"]);
const VARIANTS = {
  server: { network: "server", pause: "throttle" },
  "in-process": { network: "in-process", pause: "throttle" },
  "server-durable": { network: "server", pause: "durable" },
};
const variants = values.variants.split(",").map((s) => s.trim());
if (
  ![reps, count, warm, profileCount].every((n) => Number.isInteger(n) && n >= 1) ||
  !variants.every((v) => v in VARIANTS)
) {
  console.error(`memory: bad option\n\n${HELP}`);
  process.exit(2);
}

const GOAL_BYTES = 8 * 1024;
const PAUSE_MS = 3_600_000;
/** The line memory-probe.mjs prints. */
const MEMORY_EVENT = "bench_memory";
const log = (message) => console.error(`[memory] ${message}`);
const mainPath = new URL("../dist/main.js", import.meta.url).pathname;
const probePath = new URL("./memory-probe.mjs", import.meta.url).pathname;

async function gauge(metricsUrl, name) {
  const text = await (await fetch(metricsUrl)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
}

async function until(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function run(broker, producer, variant, inFlight, snapshotDir) {
  const { network, pause } = VARIANTS[variant];
  const server =
    network === "server" ? await startResonateServer({ kind: "binary", controllable: true }) : undefined;
  const base = uniqueName(`mem-${variant}`);
  const topics = { input: `${base}.requests`, output: `${base}.completions`, dlq: `${base}.dlq` };
  await createTopics(broker.bootstrapServers, { [topics.input]: 3, [topics.output]: 3, [topics.dlq]: 1 });
  const warmPrefix = `${base}-warm`;
  const warmIds = Array.from({ length: warm }, (_, i) => recordIdFor(warmPrefix, i + 1, idDigits(warm)));
  const bound = String(inFlight + warm + 1_000);
  const worker = startNodeProcess(mainPath, {
    name: "worker",
    nodeArgs: ["--expose-gc", "--import", probePath],
    env: {
      KAFKA_BROKERS: broker.bootstrapServers,
      INPUT_TOPIC: topics.input,
      OUTPUT_TOPIC: topics.output,
      DEAD_LETTER_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: `${base}.workers`,
      RESONATE_URL: server?.url ?? "",
      RESONATE_GROUP: `${base}.resonate`,
      HTTP_PORT: "0",
      MAX_RUNNING: bound,
      MAX_IN_FLIGHT: bound,
      BATCH_SLEEP_MS: String(PAUSE_MS),
      BATCH_PAUSE: pause,
      SIM_TRANSIENT_ERROR_RATE: "0",
      // Records never run out of rows, but the warm-up's, which take exactly one batch.
      SIM_FINISH_RATE: "0",
      SIM_FIXED_BATCHES: warmIds.map((id) => `${id}=1`).join(","),
      SIM_SEED: "1",
      LOG_LEVEL: "info",
      ...(snapshotDir ? { BENCH_HEAP_SNAPSHOT_DIR: snapshotDir } : {}),
    },
  });
  let completed = 0;
  let firstBatches = 0;
  const unfollow = worker.follow((event) => {
    if (event.event === LOG_EVENTS.completed) completed++;
    if (event.event === LOG_EVENTS.batchDeleted && event.batch === 1 && !event.recordId.startsWith(warmPrefix))
      firstBatches++;
  });
  const probe = async () => {
    const line = worker.waitFor((e) => e.event === MEMORY_EVENT, 60_000, "memory line");
    const snapshot = snapshotDir
      ? worker.waitFor((e) => e.event === `${MEMORY_EVENT}_snapshot`, 600_000, "heap snapshot")
      : undefined;
    worker.child.kill("SIGUSR2");
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = await line;
    return { rss, heapUsed, heapTotal, external, arrayBuffers, snapshot: (await snapshot)?.file };
  };
  try {
    const { port } = await worker.waitFor((e) => e.event === LOG_EVENTS.http, 60_000, "http line");
    const metrics = `http://127.0.0.1:${port}/metrics`;
    await producer.produce(topics.input, warmPrefix, warm);
    await until("warm-up completed", 300_000, () => completed >= warm);
    await until(
      "nothing in flight after the warm-up",
      60_000,
      async () =>
        (await gauge(metrics, "deletor_running_workflows")) === 0 &&
        (await gauge(metrics, "deletor_in_flight")) === 0,
    );
    await sleep(2_000);
    const idle = await probe();
    const loadStarted = performance.now();
    await producer.produce(topics.input, `${base}-long`, inFlight);
    await until("every workflow in flight", 900_000, () => firstBatches >= inFlight);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const running = await gauge(metrics, "deletor_running_workflows");
    if (running !== inFlight) throw new Error(`${running} workflows running, expected ${inFlight}`);
    await sleep(5_000); // the last starts' requests and the checkpoints of their first batches
    const loaded = await probe();
    const stillRunning = await gauge(metrics, "deletor_running_workflows");
    if (stillRunning !== inFlight) throw new Error(`${stillRunning} running at the measurement, expected ${inFlight}`);
    const per = (key) => (loaded[key] - idle[key]) / inFlight;
    return {
      idle,
      loaded,
      secondsToLoad: round(loadSeconds, 1),
      perWorkflowBytes: {
        rss: per("rss"),
        heapUsed: per("heapUsed"),
        external: per("external"),
        arrayBuffers: per("arrayBuffers"),
      },
    };
  } finally {
    unfollow();
    await worker.stop();
    await server?.dispose();
  }
}

const broker = await startBroker();
const probeServer = variants.some((v) => VARIANTS[v].network === "server")
  ? await startResonateServer({ kind: "binary", controllable: true })
  : undefined;
const environment = await environmentFacts(broker, probeServer);
await probeServer?.dispose();
log(`${reps} runs per variant, ${count} in flight, load average ${environment.loadAverage.join(" ")}`);
const producer = await requestProducer(broker.bootstrapServers);
const runs = {};
const profiles = {};
let exitCode = 0;
try {
  for (let rep = 1; rep <= reps; rep++) {
    for (const variant of variants) {
      const r = await run(broker, producer, variant, count);
      (runs[variant] ??= []).push(r);
      log(
        `run ${rep} ${variant}: idle RSS ${mib(r.idle.rss)}, heap ${mib(r.idle.heapUsed)}; ${count} in flight (${r.secondsToLoad} s to start): RSS ${mib(r.loaded.rss)}, heap ${mib(r.loaded.heapUsed)}; per workflow ${kib(r.perWorkflowBytes.rss)} resident, ${kib(r.perWorkflowBytes.heapUsed)} heap`,
      );
    }
  }
  if (values.profile) {
    for (const variant of variants) {
      const keep = values["profile-dir"];
      if (keep) await mkdir(join(keep, variant), { recursive: true });
      const dir = keep ? resolve(keep, variant) : await mkdtemp(join(os.tmpdir(), "memory-bench-"));
      try {
        const r = await run(broker, producer, variant, profileCount, dir);
        log(`profile ${variant}: comparing heap snapshots`);
        profiles[variant] = {
          inFlight: profileCount,
          heapUsedPerWorkflowBytes: r.perWorkflowBytes.heapUsed,
          ...(await compareSnapshots(r.idle.snapshot, r.loaded.snapshot, profileCount)),
        };
      } finally {
        if (!keep) await rm(dir, { recursive: true, force: true });
      }
    }
  }
} catch (error) {
  console.error(`memory: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await producer.stop();
  await broker.stop();
}
if (exitCode !== 0) process.exit(exitCode);

const summary = Object.fromEntries(
  Object.entries(runs).map(([network, rs]) => {
    const of = (pick) => spread(rs.map(pick));
    const perRss = of((r) => r.perWorkflowBytes.rss);
    return [
      network,
      {
        idleRss: of((r) => r.idle.rss),
        idleHeapUsed: of((r) => r.idle.heapUsed),
        loadedRss: of((r) => r.loaded.rss),
        loadedHeapUsed: of((r) => r.loaded.heapUsed),
        perWorkflowRss: perRss,
        perWorkflowHeapUsed: of((r) => r.perWorkflowBytes.heapUsed),
        perWorkflowExternal: of((r) => r.perWorkflowBytes.external),
        secondsToLoad: of((r) => r.secondsToLoad),
        goalMet: perRss.median <= GOAL_BYTES,
      },
    ];
  }),
);
const results = {
  environment: { ...environment, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
  settings: {
    reps,
    inFlight: count,
    warmUp: warm,
    goalBytesPerWorkflow: GOAL_BYTES,
    inFlightState: `every record's first batch done, its second batch's step waiting out a ${PAUSE_MS / 60_000}-minute throttle pause (the default pause)`,
    worker: `dist/main.js, LOG_LEVEL info, MAX_RUNNING and MAX_IN_FLIGHT ${count + warm + 1_000}, other settings default`,
    measurement:
      "process.memoryUsage() after two full garbage collections (global.gc, 500 ms apart), idle after the warm-up and with every workflow in flight; per workflow = difference / in flight",
  },
  summary,
  ...(values.profile ? { profile: profiles } : {}),
  runs,
};
const markdown = renderMarkdown(results);
await writeResults("memory", results, markdown);
console.log(markdown);
process.exit(0);

function mib(bytes) {
  return `${round(bytes / 2 ** 20, 1)} MiB`;
}
function kib(bytes) {
  return `${round(bytes / 1024, 2)} KiB`;
}

function renderMarkdown(r) {
  const e = r.environment;
  const s = r.settings;
  const nets = Object.keys(r.summary);
  const cell = (sp, fmt) => (sp.runs > 1 ? `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})` : fmt(sp.median));
  const row = (label, pick, fmt) => `| ${label} | ${nets.map((n) => cell(pick(r.summary[n]), fmt)).join(" | ")} |`;
  const lines = [
    "# Worker memory per in-flight workflow",
    "",
    `${e.cores} cores (${e.cpu}), ${e.memoryGiB} GiB, Node ${e.node}; broker: ${e.broker}; Resonate ${e.server ?? "not used"}. Measured ${e.date}, load average ${e.loadAverage.join(" / ")} at the start and ${e.loadAverageAtEnd.join(" / ")} at the end (${e.shared}).`,
    "",
    `${s.inFlight.toLocaleString("en-US")} workflows in flight: ${s.inFlightState}. Idle: after ${s.warmUp} records completed, none in flight. Worker: ${s.worker}. Measurement: ${s.measurement}. A fresh server per run. Median over ${s.reps} runs (min–max).`,
    "",
    `| | ${nets.join(" | ")} |`,
    `|---|${nets.map(() => "---:").join("|")}|`,
    row("resident, idle", (x) => x.idleRss, mib),
    row(`resident, ${s.inFlight.toLocaleString("en-US")} in flight`, (x) => x.loadedRss, mib),
    row("**resident per in-flight workflow** (goal ≤ 8 KiB)", (x) => x.perWorkflowRss, kib),
    row("JavaScript heap used, idle", (x) => x.idleHeapUsed, mib),
    row(`JavaScript heap used, ${s.inFlight.toLocaleString("en-US")} in flight`, (x) => x.loadedHeapUsed, mib),
    row("heap used per in-flight workflow", (x) => x.perWorkflowHeapUsed, kib),
    row("external (buffers outside the heap) per workflow", (x) => x.perWorkflowExternal, kib),
    row("seconds to get them all in flight", (x) => x.secondsToLoad, (v) => `${round(v, 1)} s`),
    "",
    `Goal, at most 8 KiB resident per in-flight workflow (median): ${nets.map((n) => `${n}: ${r.summary[n].goalMet ? "met" : "not met"}`).join(", ")}.`,
  ];
  for (const [network, p] of Object.entries(r.profile ?? {})) {
    lines.push(
      "",
      `## Heap snapshots, ${network}: what one in-flight workflow adds, by object kind`,
      "",
      `From a heap snapshot at each measurement of one more run with ${p.inFlight.toLocaleString("en-US")} in flight (${kib(p.heapUsedPerWorkflowBytes)} heap per workflow in that run): the difference in shallow size per object kind, divided by the workflows in flight, largest first. ${p.note}`,
      "",
      "| object kind | objects per workflow | bytes per workflow |",
      "|---|---:|---:|",
      ...p.kinds.map((k) => `| ${k.kind} | ${round(k.countPerWorkflow, 2)} | ${Math.round(k.bytesPerWorkflow)} |`),
      `| all kinds | ${round(p.total.countPerWorkflow, 1)} | ${Math.round(p.total.bytesPerWorkflow)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
