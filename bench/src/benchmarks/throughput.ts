#!/usr/bin/env node
// Records per second one deployment moves with a Resonate server: 1, 2 and 3 worker processes
// (and the naive consumer of the Resonate Kafka examples) on requests that are already on the
// topic, every record one batch with no pause, so the figure is what consuming, starting,
// checkpointing and completing costs per record. Each run gets a fresh server (SQLite, or
// PostgreSQL with --storage postgres) and fresh topics; CPU is read from /proc for every
// process, and the server's requests from its metrics. Writes bench/results/throughput.{json,md}.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Postgres } from "@deletion/local-stack";
import { createPool } from "@deletion/store-postgres";
import {
  type Broker,
  type ResonateRequestCounts,
  scrapeResonateRequests,
  startBroker,
  startPostgres,
  startResonateServer,
  uniqueName,
} from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { type ProfiledFunction, summariseCpuProfile } from "../harness/cpu-profile.ts";
import { createTopics, requestProducer, topicsFor, workerEnv } from "../harness/kafka.ts";
import { type EnvironmentFacts, environmentFacts, loadAverage, metricsUrlOf } from "../harness/machine.ts";
import { childScript, TS_NODE_ARGS, WORKER_MAIN } from "../harness/paths.ts";
import { parseProcStat } from "../harness/process.ts";
import { lastResultsOrExit, readResults, writeResults } from "../harness/results.ts";
import { round, type Spread, sleep, spread } from "../harness/stats.ts";

const USAGE = `Usage: pnpm bench throughput [options]

  --records N       one-batch records per run (default 20000)
  --workers LIST    worker processes per run (default 1,2,3)
  --reps N          runs of each configuration (default 3)
  --storage LIST    the server's storage: sqlite, postgres or both (default sqlite,postgres)
  --no-naive        leave out the naive consumer
  --profile         also profile one worker's CPU over one run and list its top costs
  --profile-dir D   keep the profile (a .cpuprofile for Chrome DevTools) in D
  --partitions N    partitions of the request topic (default 6)
  --update          keep the last results of the configurations not run now (say, to measure
                    one storage again), each with the date and load it was measured at
  --render          only write the markdown again from the last JSON results
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/throughput.{json,md}. About 1 minute a run with the defaults.`;

const cli = benchCli("throughput", USAGE, {
  records: { type: "string", default: "20000" },
  workers: { type: "string", default: "1,2,3" },
  reps: { type: "string", default: "3" },
  storage: { type: "string", default: "sqlite,postgres" },
  "no-naive": { type: "boolean", default: false },
  profile: { type: "boolean", default: false },
  "profile-dir": { type: "string" },
  partitions: { type: "string", default: "6" },
  update: { type: "boolean", default: false },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});
const values = cli.values;
const records = cli.integer("records");
const reps = cli.integer("reps");
const partitions = cli.integer("partitions");
const workerCounts = cli.integers("workers");
type Storage = "sqlite" | "postgres";
const storages = cli.oneOf<Storage>("storage", ["sqlite", "postgres"]);

const WORKER = WORKER_MAIN;
const NAIVE = childScript("naive-consumer.ts");

type Consumer = "worker" | "naive";
interface Configuration {
  consumer: Consumer;
  workers: number;
  storage: Storage;
}
/** What one run measured. */
interface Run {
  recordsPerSecond: number;
  seconds: number;
  serverCores: number;
  databaseCores: number;
  taskCreateP99Ms: number;
  workerCores: number[];
  requestsPerRecord: number;
  perKind: Record<string, number>;
  serverRequestsPerSecond: number;
  serverRequestsPerCoreSecond: number;
  workerCpuMsPerRecord: number;
}
interface Row extends Configuration {
  measuredAt?: string;
  loadAverage?: number[];
  earlierRun?: boolean;
  runs: Run[];
}
/** bench/results/throughput.json */
interface Results {
  facts: EnvironmentFacts;
  records: number;
  partitions: number;
  reps: number;
  results: Row[];
  profile: { run: Run; top: ProfiledFunction[] } | undefined;
}

/** CPU seconds a process has used so far (user + system), from /proc; with its name when asked. */
function procStat(pid: number | string): { name: string; cpu: number } {
  return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return procStat(pid).cpu;
  } catch {
    return Number.NaN;
  }
}

function startProcess(entry: string, env: Record<string, string>, nodeArgs: readonly string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...process.env, ...env },
    // Log lines go where a container's would go in production: written, not read here.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => (child as ChildProcess).once("exit", () => resolve()));
  return {
    pid: child.pid,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds of every PostgreSQL process on the machine (the embedded server and its backends). */
function postgresCpuSeconds() {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = procStat(pid);
      if (stat.name === "postgres") total += stat.cpu;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** The server's latency histogram of one request kind: cumulative count per upper bound. */
async function latencyBuckets(metricsUrl: string, kind: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const buckets = new Map<string, number>();
  const pattern = new RegExp(
    `^resonate_request_duration_seconds_bucket\\{kind="${kind.replace(".", "\\.")}",le="([^"]+)"\\} (\\S+)$`,
    "gm",
  );
  for (const m of text.matchAll(pattern)) buckets.set(m[1] as string, Number(m[2]));
  return buckets;
}

/** The upper bound (ms) of the bucket that holds the p-th percentile of what happened between two scrapes. */
function percentileFromBuckets(before: Map<string, number>, after: Map<string, number>, p: number): number {
  const bounds = [...after.keys()];
  const deltas = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = deltas.at(-1) ?? 0;
  if (total === 0) return Number.NaN;
  const index = deltas.findIndex((d) => d >= (p / 100) * total);
  const bound = bounds[index];
  return bound === "+Inf" ? Number.POSITIVE_INFINITY : Number(bound) * 1000;
}

const counted = (counts: ResonateRequestCounts, kind: string) => counts.get(kind) ?? 0;
const total = (counts: ResonateRequestCounts) => [...counts.values()].reduce((a, b) => a + b, 0);

/** One run: fresh topics and server, requests produced, then the consumers started. */
async function run({
  consumer,
  workers,
  storage,
  broker,
  postgres,
  profileDir,
}: Configuration & { broker: Broker; postgres: Postgres | undefined; profileDir?: string }): Promise<Run> {
  const server = await startResonateServer({
    kind: "binary",
    controllable: true,
    ...(storage === "postgres" ? { postgresUrl: await freshDatabase(postgres) } : {}),
  });
  const metricsUrl = metricsUrlOf(server);
  const base = uniqueName("throughput");
  const topics = topicsFor(base);
  await createTopics(broker.bootstrapServers, {
    [topics.input]: partitions,
    [topics.output]: partitions,
    [topics.dlq]: 1,
  });
  const producer = await requestProducer(broker.bootstrapServers);
  await producer.produce(topics.input, base, records);
  await producer.stop();

  const env = {
    ...workerEnv({ brokers: broker.bootstrapServers, topics, base, resonateUrl: server.url }),
    SIM_TRANSIENT_ERROR_RATE: "0",
    SIM_FINISH_RATE: "1",
    LOG_LEVEL: "info",
  };
  const before = await scrapeResonateRequests(metricsUrl);
  const createLatencyBefore = await latencyBuckets(metricsUrl, "task.create");
  const serverPid = server.pid;
  const entry = consumer === "worker" ? WORKER : NAIVE;
  const nodeArgs = consumer === "worker" ? [] : TS_NODE_ARGS;
  const processes = Array.from({ length: workers }, (_, i) =>
    startProcess(
      entry,
      env,
      profileDir && i === 0 ? [...nodeArgs, "--cpu-prof", `--cpu-prof-dir=${profileDir}`] : nodeArgs,
    ),
  );
  try {
    // The clock starts at the first task.create the server answers, and stops at the last record's
    // task.fulfill (each record of one batch is fulfilled once).
    let start: number | undefined;
    let startCpu: number[] = [];
    let startDbCpu = 0;
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${consumer} × ${workers}: not done within 15 minutes`);
      const counts = await scrapeResonateRequests(metricsUrl);
      const created = counted(counts, "task.create") - counted(before, "task.create");
      const fulfilled = counted(counts, "task.fulfill") - counted(before, "task.fulfill");
      if (start === undefined && created > 0) {
        start = performance.now();
        startCpu = [serverPid, ...processes.map((p) => p.pid)].map(cpuSeconds);
        startDbCpu = storage === "postgres" ? postgresCpuSeconds() : 0;
      }
      if (start !== undefined && fulfilled >= records) {
        const seconds = (performance.now() - start) / 1000;
        const endCpu = [serverPid, ...processes.map((p) => p.pid)].map(cpuSeconds);
        const cores = endCpu.map((c, i) => round((c - (startCpu[i] ?? Number.NaN)) / seconds, 2));
        const requests = total(counts) - total(before);
        const perKind = Object.fromEntries(
          [...counts]
            .map(([k, v]): [string, number] => [k, round((v - counted(before, k)) / records, 2)])
            .filter(([, v]) => v > 0),
        );
        const serverCpu = (endCpu[0] ?? Number.NaN) - (startCpu[0] ?? Number.NaN);
        const dbCores = storage === "postgres" ? round((postgresCpuSeconds() - startDbCpu) / seconds, 2) : 0;
        const createLatency = await latencyBuckets(metricsUrl, "task.create");
        return {
          recordsPerSecond: round(records / seconds),
          seconds: round(seconds, 2),
          serverCores: cores[0] ?? Number.NaN,
          databaseCores: dbCores,
          taskCreateP99Ms: percentileFromBuckets(createLatencyBefore, createLatency, 99),
          workerCores: cores.slice(1),
          requestsPerRecord: round(requests / records, 2),
          perKind,
          serverRequestsPerSecond: round(requests / seconds),
          serverRequestsPerCoreSecond: round(requests / serverCpu),
          workerCpuMsPerRecord: round(
            (1000 * endCpu.slice(1).reduce((a, c, i) => a + c - (startCpu[i + 1] ?? Number.NaN), 0)) /
              records,
            2,
          ),
        };
      }
      await sleep(100);
    }
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await server.dispose();
  }
}

async function freshDatabase(postgres: Postgres | undefined): Promise<string> {
  if (!postgres) throw new Error("PostgreSQL storage without a PostgreSQL");
  const name = uniqueName("resonate").replace(/[^a-z0-9_]/g, "_");
  const pool = createPool({ connectionString: postgres.url, max: 1 });
  await pool.query(`CREATE DATABASE ${name}`);
  await pool.end();
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

if (values.render) {
  const last = await lastResultsOrExit<Results>("throughput", cli.resultsDir, "throughput");
  await writeResults(cli.resultsDir, "throughput", last, render(last));
  process.exit(0);
}

const broker = await startBroker();
const postgres = storages.includes("postgres") ? await startPostgres() : undefined;
const probe = await startResonateServer({ kind: "binary", controllable: true });
const facts = await environmentFacts(broker, probe);
await probe.dispose();
const configurations: Configuration[] = [];
for (const storage of storages) {
  for (const workers of workerCounts) configurations.push({ consumer: "worker", workers, storage });
  if (!values["no-naive"]) configurations.push({ consumer: "naive", workers: 1, storage });
}

const results: Row[] = [];
try {
  for (const config of configurations) {
    const runs: Run[] = [];
    const measuredAt = new Date().toISOString();
    const load = loadAverage();
    for (let rep = 0; rep < reps; rep++) {
      const measured = await run({ ...config, broker, postgres });
      console.error(
        `[throughput] ${config.storage} ${config.consumer} × ${config.workers}: ${JSON.stringify(measured)}`,
      );
      runs.push(measured);
    }
    results.push({ ...config, measuredAt, loadAverage: load, runs });
  }
  const same = (a: Configuration, b: Configuration) =>
    a.storage === b.storage && a.consumer === b.consumer && a.workers === b.workers;
  const last = values.update ? await readResults<Results>(cli.resultsDir, "throughput") : undefined;
  if (last) {
    for (const earlier of last.results) {
      if (results.some((r) => same(r, earlier))) continue;
      // Rows of an earlier run without a date of their own carry that run's start.
      results.push(
        earlier.measuredAt
          ? earlier
          : {
              ...earlier,
              measuredAt: last.facts.date,
              loadAverage: last.facts.loadAverage,
              earlierRun: true,
            },
      );
    }
    const order = (r: Row) =>
      `${storages.includes(r.storage) ? 0 : 1}${r.storage}${r.consumer === "worker" ? 0 : 1}${r.workers}`;
    results.sort((a, b) => order(a).localeCompare(order(b)));
  }
  let profile: Results["profile"];
  if (values.profile) {
    const keep = values["profile-dir"];
    const dir = keep ?? mkdtempSync(join(tmpdir(), "throughput-profile-"));
    try {
      const measured = await run({
        consumer: "worker",
        workers: 1,
        storage: "sqlite",
        broker,
        postgres,
        profileDir: dir,
      });
      const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
      profile = { run: measured, top: file ? summariseCpuProfile(join(dir, file), 15) : [] };
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  const output: Results = { facts, records, partitions, reps, results, profile: profile ?? last?.profile };
  await writeResults(cli.resultsDir, "throughput", output, render(output));
  console.log(render(output));
} finally {
  await postgres?.stop();
  await broker.stop();
}

function render({ facts, records, partitions, results, profile }: Results): string {
  type Figure = Exclude<keyof Run, "workerCores" | "perKind">;
  const med = (runs: Run[], key: Figure) => spread(runs.map((r) => r[key]));
  const fmt = (s: Spread, digits = 1) =>
    s.runs > 1
      ? `${round(s.median, digits)} (${round(s.min, digits)}–${round(s.max, digits)})`
      : `${round(s.median, digits)}`;
  const lines = [
    "# Throughput: records/s of one deployment",
    "",
    `${facts.cores} cores (${facts.cpu}), ${facts.memoryGiB} GiB, Node ${facts.node}; server ${facts.server}; broker: ${facts.broker}. Measured ${facts.date}, load average ${facts.loadAverage.join(" / ")} at the start.`,
    "",
    `${records} one-batch records (no pause, no transient errors) already on a topic of ${partitions} partitions; a fresh server and fresh topics per run. Clock: the server's first \`task.create\` to its ${records}th \`task.fulfill\`. CPU from /proc, in cores (1.0 = one core busy for the whole run); with PostgreSQL storage the database's own processes are counted apart (database cores). \`task.create\` p99: the upper bound of the server's latency-histogram bucket that holds it. Worker log lines at info, written to /dev/null. Median (min–max) of the runs.`,
    "",
    "| storage | consumer | processes | records/s | requests / record | server requests/s | server cores | database cores | worker cores (each) | worker CPU ms / record | server requests per CPU-second | `task.create` p99 ms | runs | measured (load average at the start) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    const workerCores = (r.runs[0]?.workerCores ?? [])
      .map((_, i) => round(spread(r.runs.map((x) => x.workerCores[i] ?? Number.NaN)).median, 2))
      .join(", ");
    lines.push(
      `| ${r.storage} | ${r.consumer === "worker" ? "deletor-worker" : "naive (one awaited beginRun per message)"} | ${r.workers} | ${fmt(med(r.runs, "recordsPerSecond"))} | ${fmt(med(r.runs, "requestsPerRecord"), 2)} | ${fmt(med(r.runs, "serverRequestsPerSecond"), 0)} | ${fmt(med(r.runs, "serverCores"), 2)} | ${r.storage === "postgres" ? fmt(med(r.runs, "databaseCores"), 2) : "–"} | ${workerCores} | ${fmt(med(r.runs, "workerCpuMsPerRecord"), 2)} | ${fmt(med(r.runs, "serverRequestsPerCoreSecond"), 0)} | ${fmt(med(r.runs, "taskCreateP99Ms"), 0)} | ${r.runs.length} | ${r.measuredAt ? `${r.earlierRun ? "run began " : ""}${r.measuredAt.slice(0, 16).replace("T", " ")} (${(r.loadAverage ?? []).join(" / ")})` : "–"} |`,
    );
  }
  lines.push("", "## The model", "");
  lines.push(
    "A deployment's records/s = the server's requests/s at saturation ÷ requests per record. Per core of the server (its requests per CPU-second above) and per core of a worker (1000 ÷ its CPU ms per record):",
    "",
    "| storage | consumer | processes | records/s per server core | records/s per worker core |",
    "|---|---|---:|---:|---:|",
  );
  for (const r of results) {
    const perServerCore = spread(
      r.runs.map((x) => x.serverRequestsPerCoreSecond / x.requestsPerRecord),
    ).median;
    const perWorkerCore = spread(r.runs.map((x) => 1000 / x.workerCpuMsPerRecord)).median;
    lines.push(
      `| ${r.storage} | ${r.consumer === "worker" ? "deletor-worker" : "naive"} | ${r.workers} | ${round(perServerCore, 0)} | ${round(perWorkerCore, 0)} |`,
    );
  }
  if (profile) {
    lines.push(
      "",
      `## Where one worker's CPU goes (one run, SQLite, ${profile.run.recordsPerSecond} records/s, ${profile.run.workerCpuMsPerRecord} ms / record)`,
      "",
      "Self time of the top functions in a V8 CPU profile (`--cpu-prof`) over the whole process life.",
      "",
      "| function | where | self ms | share |",
      "|---|---|---:|---:|",
      ...profile.top.map((f) => `| ${f.name} | ${f.where} | ${f.selfMs} | ${f.share} % |`),
    );
  }
  return `${lines.join("\n")}\n`;
}
