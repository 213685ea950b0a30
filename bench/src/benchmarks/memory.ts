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
// The worker runs as a child process (its dist/main.js, unchanged) with src/children/memory-probe.ts loaded:
// on SIGUSR2 that collects garbage and prints process.memoryUsage(). With --profile, one more run
// per variant writes heap snapshots at both points and src/harness/heap-summary.ts says what holds the
// objects added per workflow (its RSS is not used: a snapshot takes memory itself).
// Nothing here is a test: the numbers depend on the machine and on what else runs on it.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { LOG_EVENTS } from "@deletion/contracts";
import { idDigits, recordIdFor } from "@deletion/kafka";
import type { ResonateServer } from "@deletion/local-stack";
import {
  type Broker,
  scrapeResonateRequests,
  startBroker,
  startResonateServer,
  uniqueName,
} from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { compareSnapshots, type SnapshotComparison } from "../harness/heap-summary.ts";
import { createTopics, type RequestProducer, requestProducer, topicsFor } from "../harness/kafka.ts";
import { type EnvironmentFacts, environmentFacts, loadAverage, metricsUrlOf } from "../harness/machine.ts";
import { childScript, TS_NODE_ARGS, WORKER_MAIN } from "../harness/paths.ts";
import { cpuSeconds as cpuSecondsOf, startNodeProcess } from "../harness/process.ts";
import { lastResultsOrExit, writeResults } from "../harness/results.ts";
import { round, type Spread, sleep, spread } from "../harness/stats.ts";

const HELP = `Usage: pnpm bench memory [options]

  --reps N          runs per variant (default 3)
  --count N         workflows in flight (default 10000)
  --warm N          records completed before the idle measurement (default 500)
  --variants LIST   server, in-process (both with the default throttle pause) and
                    server-durable (BATCH_PAUSE=durable); default all three
  --settle-ms N     once every workflow waits (the worker idle, the server answering only
                    heartbeats), wait this much longer before measuring (default 0)
  --node-args LIST  extra Node flags for the worker, comma-separated (e.g. V8 heap flags)
  --profile         one more run per variant with heap snapshots: what holds a workflow
  --profile-count N workflows in flight in that run (default 2000: the snapshot stays small
                    enough to parse; what one workflow holds does not depend on how many)
  --profile-dir DIR keep that run's heap snapshots in DIR (e.g. to open in Chrome DevTools);
                    default: a temporary directory, removed
  --render          only write the markdown again from the last JSON results
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/memory.{json,md}. With the defaults about 4 minutes a rep on 2 cores
(starting 10,000 workflows on the server takes most of it); --profile adds about 3 minutes.`;

const cli = benchCli("memory", HELP, {
  reps: { type: "string", default: "3" },
  count: { type: "string", default: "10000" },
  warm: { type: "string", default: "500" },
  variants: { type: "string", default: "server,in-process,server-durable" },
  "settle-ms": { type: "string", default: "0" },
  "node-args": { type: "string", default: "" },
  profile: { type: "boolean", default: false },
  "profile-count": { type: "string", default: "2000" },
  "profile-dir": { type: "string" },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});
const values = cli.values;
if (values.render) {
  const last = await lastResultsOrExit<Results>("memory", cli.resultsDir, "memory");
  await writeResults(cli.resultsDir, "memory", last, renderMarkdown(last));
  process.exit(0);
}
const reps = cli.integer("reps");
const count = cli.integer("count");
const warm = cli.integer("warm");
const profileCount = cli.integer("profile-count");
const settleMs = cli.integer("settle-ms", 0);
const extraNodeArgs = values["node-args"].split(",").filter((a) => a !== "");
type Variant = "server" | "in-process" | "server-durable";
const VARIANTS: Record<Variant, { network: "server" | "in-process"; pause: "throttle" | "durable" }> = {
  server: { network: "server", pause: "throttle" },
  "in-process": { network: "in-process", pause: "throttle" },
  "server-durable": { network: "server", pause: "durable" },
};
const variants = cli.oneOf<Variant>("variants", ["server", "in-process", "server-durable"]);

/** What the memory probe prints: process.memoryUsage() and more, after two full collections. */
interface Usage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  snapshot?: string | undefined;
  [more: string]: unknown;
}
interface Run {
  idle: Usage;
  loaded: Usage;
  secondsToLoad: number;
  perWorkflowBytes: {
    rss: number;
    heapUsed: number;
    external: number;
    arrayBuffers: number;
    heapTotal: number;
  };
}
interface Summary {
  idleRss: Spread;
  loadedRss: Spread;
  perWorkflowRss: Spread;
  idleHeapTotal: Spread;
  loadedHeapTotal: Spread;
  perWorkflowHeapTotal: Spread;
  idleHeapUsed: Spread;
  loadedHeapUsed: Spread;
  perWorkflowHeapUsed: Spread;
  perWorkflowExternal: Spread;
  secondsToLoad: Spread;
  goalMet: boolean;
}
type Profile = SnapshotComparison & { inFlight: number; heapUsedPerWorkflowBytes: number };
/** bench/results/memory.json */
interface Results {
  environment: EnvironmentFacts & { loadAverageAtEnd: number[] };
  settings: {
    reps: number;
    inFlight: number;
    warmUp: number;
    goalBytesPerWorkflow: number;
    variants: Record<string, { network: string; pause: string }>;
    inFlightState: string;
    worker: string;
    leaseNote: string;
    measurement: string;
    nodeArgs?: string[];
  };
  summary: Record<string, Summary>;
  profile?: Record<string, Profile>;
  runs: Record<string, Run[]>;
}

const GOAL_BYTES = 8 * 1024;
/**
 * The worker's task TTL here: longer than a run, so that no task lease lapses while measuring.
 * With SDK 0.11.5 a workflow started with beginRun is not heartbeated (its task is only added to
 * the heartbeat when a task arrives as a message), so one that holds its task past the TTL (the
 * throttle pause) is handed out again and a second computation of it starts in the same process:
 * with the default 30 s every such in-flight workflow would be held twice.
 */
const LEASE_MS = 3_600_000;
const LEASE_NOTE =
  "raised to an hour, longer than a run. With the default (30 s), SDK 0.11.5 hands a workflow started with beginRun out again once it has held its task for the TTL (beginRun's task is never heartbeated), and the worker runs a second computation of it next to the first: a throttle-paused in-flight workflow is then held twice (measured with 3,000 in flight: 22.7 KiB of heap each at the start, 42 KiB a minute later).";
const QUIET_WINDOW_MS = 3_000;
const PAUSE_MS = 3_600_000;
/** The line memory-probe.mjs prints. */
const MEMORY_EVENT = "bench_memory";
const log = (message: string) => console.error(`[memory] ${message}`);
const mainPath = WORKER_MAIN;
const probePath = childScript("memory-probe.ts");

async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
}

/** CPU seconds a process has used so far (Linux /proc: utime + stime, 100 ticks a second). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const seconds = await cpuSecondsOf(pid);
  if (seconds === undefined) throw new Error(`no CPU time for process ${pid}`);
  return seconds;
}

/** Server requests answered so far, heartbeats left out (they go on while workflows wait). */
async function serverWork(server: ResonateServer | undefined): Promise<number> {
  if (!server) return 0;
  const counts = await scrapeResonateRequests(metricsUrlOf(server));
  return [...counts].filter(([kind]) => kind !== "task.heartbeat").reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Waits until the workflows are all waiting: over QUIET_WINDOW_MS the worker used under 5 % of
 * a core and the server answered nothing but heartbeats. A first batch logged is not enough:
 * its checkpoint and the next step's creation may still be queued at the server.
 */
async function untilQuiet(
  pid: number | undefined,
  server: ResonateServer | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [cpu, work] = [await cpuSeconds(pid), await serverWork(server)];
    await sleep(QUIET_WINDOW_MS);
    const busy = (await cpuSeconds(pid)) - cpu > 0.05 * (QUIET_WINDOW_MS / 1000);
    if (!busy && (await serverWork(server)) === work) return;
    if (Date.now() > deadline) throw new Error(`the worker did not settle within ${timeoutMs} ms`);
  }
}

async function until(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function run(
  broker: Broker,
  producer: RequestProducer,
  variant: Variant,
  inFlight: number,
  snapshotDir?: string,
): Promise<Run> {
  const { network, pause } = VARIANTS[variant];
  const server =
    network === "server" ? await startResonateServer({ kind: "binary", controllable: true }) : undefined;
  const base = uniqueName(`mem-${variant}`);
  const topics = topicsFor(base);
  await createTopics(broker.bootstrapServers, { [topics.input]: 3, [topics.output]: 3, [topics.dlq]: 1 });
  const warmPrefix = `${base}-warm`;
  const warmIds = Array.from({ length: warm }, (_, i) => recordIdFor(warmPrefix, i + 1, idDigits(warm)));
  const bound = String(inFlight + warm + 1_000);
  // Twice that for the running bound: partitions held at the in-flight bound (a burst of starts
  // not yet acknowledged) are read again only once running workflows are down to half of
  // MAX_RUNNING too (flow-control.ts), and these never finish: with MAX_RUNNING at 11,500 the
  // worker stopped reading at about 6,000 running, for good.
  const runningBound = String(2 * (inFlight + warm) + 1_000);
  const worker = startNodeProcess(mainPath, {
    name: "worker",
    nodeArgs: [...extraNodeArgs, ...TS_NODE_ARGS, "--expose-gc", "--import", probePath],
    env: {
      KAFKA_BROKERS: broker.bootstrapServers,
      INPUT_TOPIC: topics.input,
      OUTPUT_TOPIC: topics.output,
      DEAD_LETTER_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: `${base}.workers`,
      RESONATE_URL: server?.url ?? "",
      RESONATE_GROUP: `${base}.resonate`,
      HTTP_PORT: "0",
      MAX_RUNNING: runningBound,
      // In-process a record stays in flight until its workflow ends, so the bound must hold them
      // all. With a server a record is in flight only until its start is acknowledged; the default
      // (500) stays: thousands of starts at once queue behind the transport's 64 connections, and
      // those waiting past the request timeout are sent again (task.create answers 409; measured
      // with 11,500: about 2 % of the starts) while their first claim holds the task.
      ...(network === "in-process" ? { MAX_IN_FLIGHT: bound } : {}),
      BATCH_SLEEP_MS: String(PAUSE_MS),
      BATCH_PAUSE: pause,
      RESONATE_TTL_MS: String(LEASE_MS),
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
    if (
      event.event === LOG_EVENTS.batchDeleted &&
      event.batch === 1 &&
      !String(event.recordId).startsWith(warmPrefix)
    )
      firstBatches++;
  });
  const probe = async (): Promise<Usage> => {
    const line = worker.waitFor((e) => e.event === MEMORY_EVENT, 60_000, "memory line");
    const snapshot = snapshotDir
      ? worker.waitFor((e) => e.event === `${MEMORY_EVENT}_snapshot`, 600_000, "heap snapshot")
      : undefined;
    worker.child.kill("SIGUSR2");
    const { event: _, probe: __, ...usage } = await line;
    const file = (await snapshot)?.file;
    return { ...(usage as Usage), snapshot: typeof file === "string" ? file : undefined };
  };
  try {
    const { port } = await worker.waitFor((e) => e.event === LOG_EVENTS.http, 60_000, "http line");
    if (typeof port !== "number") throw new Error("the worker's http line names no port");
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
    await untilQuiet(worker.pid, server, 120_000);
    const idle = await probe();
    const loadStarted = performance.now();
    await producer.produce(topics.input, `${base}-long`, inFlight);
    // No fixed bound: on a busy machine the server takes its time. Given up only when nothing
    // moves for two minutes.
    let seen = 0;
    let movedAt = Date.now();
    await until("every workflow in flight", 3_600_000, () => {
      if (firstBatches > seen) [seen, movedAt] = [firstBatches, Date.now()];
      if (Date.now() - movedAt > 120_000)
        throw new Error(`${firstBatches} of ${inFlight} workflows in flight, none more for 2 minutes`);
      return firstBatches >= inFlight;
    });
    const running = await gauge(metrics, "deletor_running_workflows");
    if (running !== inFlight) throw new Error(`${running} workflows running, expected ${inFlight}`);
    await untilQuiet(worker.pid, server, 600_000);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await sleep(settleMs);
    const loaded = await probe();
    const stillRunning = await gauge(metrics, "deletor_running_workflows");
    if (stillRunning !== inFlight)
      throw new Error(`${stillRunning} running at the measurement, expected ${inFlight}`);
    const per = (key: keyof Run["perWorkflowBytes"]) => (loaded[key] - idle[key]) / inFlight;
    return {
      idle,
      loaded,
      secondsToLoad: round(loadSeconds, 1),
      perWorkflowBytes: {
        rss: per("rss"),
        heapUsed: per("heapUsed"),
        external: per("external"),
        arrayBuffers: per("arrayBuffers"),
        heapTotal: per("heapTotal"),
      },
    };
  } finally {
    unfollow();
    await worker.stop();
    await server?.dispose();
  }
}

const broker = await startBroker();
const probeServer: ResonateServer | undefined = variants.some((v) => VARIANTS[v].network === "server")
  ? await startResonateServer({ kind: "binary", controllable: true })
  : undefined;
const environment = await environmentFacts(broker, probeServer);
await probeServer?.dispose();
log(`${reps} runs per variant, ${count} in flight, load average ${environment.loadAverage.join(" ")}`);
const producer = await requestProducer(broker.bootstrapServers);
const runs: Record<string, Run[]> = Object.fromEntries(variants.map((v): [string, Run[]] => [v, []]));
const profiles: Record<string, Profile> = {};
let exitCode = 0;
try {
  for (let rep = 1; rep <= reps; rep++) {
    for (const variant of variants) {
      const r = await run(broker, producer, variant, count);
      runs[variant]?.push(r);
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
          ...(await compareSnapshots(r.idle.snapshot ?? "", r.loaded.snapshot ?? "", profileCount)),
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

const summary: Record<string, Summary> = Object.fromEntries(
  Object.entries(runs).map(([variant, rs]): [string, Summary] => {
    const of = (pick: (r: Run) => number) => spread(rs.map(pick));
    const perRss = of((r) => r.perWorkflowBytes.rss);
    return [
      variant,
      {
        idleRss: of((r) => r.idle.rss),
        loadedRss: of((r) => r.loaded.rss),
        perWorkflowRss: perRss,
        idleHeapTotal: of((r) => r.idle.heapTotal),
        loadedHeapTotal: of((r) => r.loaded.heapTotal),
        perWorkflowHeapTotal: of((r) => r.perWorkflowBytes.heapTotal),
        idleHeapUsed: of((r) => r.idle.heapUsed),
        loadedHeapUsed: of((r) => r.loaded.heapUsed),
        perWorkflowHeapUsed: of((r) => r.perWorkflowBytes.heapUsed),
        perWorkflowExternal: of((r) => r.perWorkflowBytes.external),
        secondsToLoad: of((r) => r.secondsToLoad),
        goalMet: perRss.median <= GOAL_BYTES,
      },
    ];
  }),
);
const results: Results = {
  environment: { ...environment, loadAverageAtEnd: loadAverage() },
  settings: {
    reps,
    inFlight: count,
    warmUp: warm,
    goalBytesPerWorkflow: GOAL_BYTES,
    variants: Object.fromEntries(variants.map((v) => [v, VARIANTS[v]])),
    inFlightState: `every record's first batch done; with the throttle pause its second batch's step waits out a ${PAUSE_MS / 60_000}-minute pause (the workflow holds its task), with the durable pause the workflow is suspended on a ${PAUSE_MS / 60_000}-minute server timer`,
    worker: `dist/main.js, LOG_LEVEL info, MAX_RUNNING ${2 * (count + warm) + 1_000} (twice what runs: held partitions are read again only below half of it), MAX_IN_FLIGHT ${count + warm + 1_000} in-process (a record is in flight until it finishes there) and the default 500 with a server, RESONATE_TTL_MS ${LEASE_MS} (see leaseNote), other settings default`,
    leaseNote: LEASE_NOTE,
    measurement: `process.memoryUsage() after two full garbage collections (global.gc, 500 ms apart): idle after the warm-up, and once every workflow waits (the worker under 5 % of a core and the server answering only heartbeats for ${QUIET_WINDOW_MS / 1000} s)${settleMs > 0 ? ` plus ${settleMs} ms` : ""}; per workflow = difference / in flight`,
    ...(extraNodeArgs.length > 0 ? { nodeArgs: extraNodeArgs } : {}),
  },
  summary,
  ...(values.profile ? { profile: profiles } : {}),
  runs,
};
const markdown = renderMarkdown(results);
await writeResults(cli.resultsDir, "memory", results, markdown);
console.log(markdown);
process.exit(0);

function mib(bytes: number): string {
  return `${round(bytes / 2 ** 20, 1)} MiB`;
}
function kib(bytes: number): string {
  return `${round(bytes / 1024, 1)} KiB`;
}

function renderMarkdown(r: Results): string {
  const e = r.environment;
  const s = r.settings;
  const names = Object.keys(r.summary);
  const n = s.inFlight.toLocaleString("en-US");
  const cell = (sp: Spread, fmt: (x: number) => string) =>
    sp.runs > 1 ? `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})` : fmt(sp.median);
  const row = (label: string, pick: (x: Summary) => Spread, fmt: (x: number) => string) =>
    `| ${label} | ${names.map((v) => cell(pick(r.summary[v] as Summary), fmt)).join(" | ")} |`;
  const heading = (v: string) => `${s.variants[v]?.network}, ${s.variants[v]?.pause} pause`;
  const lines = [
    "# Worker memory per in-flight workflow",
    "",
    `${e.cores} cores (${e.cpu}), ${e.memoryGiB} GiB, Node ${e.node}; broker: ${e.broker}; Resonate server: ${e.server ?? "not used"}. Measured ${e.date}, load average ${e.loadAverage.join(" / ")} at the start and ${e.loadAverageAtEnd.join(" / ")} at the end (${e.shared}).`,
    "",
    `${n} workflows in flight: ${s.inFlightState}. Idle: after ${s.warmUp} records completed, none in flight. Worker: ${s.worker}. Measurement: ${s.measurement}. A fresh server per run. Median over ${s.reps} runs (min–max).`,
    "",
    `| | ${names.map(heading).join(" | ")} |`,
    `|---|${names.map(() => "---:").join("|")}|`,
    row("resident (RSS), idle", (x) => x.idleRss, mib),
    row(`resident, ${n} in flight`, (x) => x.loadedRss, mib),
    row("**resident per in-flight workflow** (goal ≤ 8 KiB)", (x) => x.perWorkflowRss, kib),
    row("V8 heap committed (heapTotal), idle", (x) => x.idleHeapTotal, mib),
    row(`V8 heap committed, ${n} in flight`, (x) => x.loadedHeapTotal, mib),
    row("heap committed per workflow", (x) => x.perWorkflowHeapTotal, kib),
    row("JavaScript heap used (live objects), idle", (x) => x.idleHeapUsed, mib),
    row(`JavaScript heap used, ${n} in flight`, (x) => x.loadedHeapUsed, mib),
    row("**heap used per workflow**", (x) => x.perWorkflowHeapUsed, kib),
    row("external (buffers outside the heap) per workflow", (x) => x.perWorkflowExternal, kib),
    row(
      "seconds until all wait",
      (x) => x.secondsToLoad,
      (v) => `${round(v, 0)} s`,
    ),
    "",
    `Goal, at most 8 KiB resident per in-flight workflow (median): ${names.map((v) => `${heading(v)}: ${r.summary[v]?.goalMet ? "met" : "not met"}`).join("; ")}.`,
    "",
    `Task TTL: ${s.leaseNote}`,
  ];
  for (const [v, p] of Object.entries(r.profile ?? {})) {
    lines.push(
      "",
      `## Heap snapshots, ${heading(v)}: what holds one in-flight workflow`,
      "",
      `One more run with ${p.inFlight.toLocaleString("en-US")} in flight, a heap snapshot at each measurement (${kib(p.heapUsedPerWorkflowBytes)} heap used per workflow in that run; ${kib(p.bytesPerWorkflow)} in the snapshots' objects). Every object added is attributed to its holder: up its dominator tree to the last object below one shared by many workflows (bench/src/harness/heap-summary.ts). Bytes per workflow, largest first, with what each holder's objects are made of.`,
      "",
      "| holder (in the shared object holding it) | holders per workflow | bytes per workflow | made of (bytes per workflow) |",
      "|---|---:|---:|---|",
      ...p.holders
        .filter((h) => h.bytesPerWorkflow >= 64)
        .map(
          (h) =>
            `| ${h.holder.replaceAll("|", "\\|")} | ${round(h.holdersPerWorkflow, 2)} | ${Math.round(h.bytesPerWorkflow)} | ${h.madeOf
              .filter((k) => k.bytesPerWorkflow >= 32)
              .map((k) => `${k.kind.trim()} ${Math.round(k.bytesPerWorkflow)}`)
              .join(", ")} |`,
        ),
      "",
      "By kind (the objects' own sizes, per workflow):",
      "",
      "| kind | objects | bytes |",
      "|---|---:|---:|",
      ...p.kinds.map(
        (k) => `| ${k.kind.trim()} | ${round(k.countPerWorkflow, 1)} | ${Math.round(k.bytesPerWorkflow)} |`,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
