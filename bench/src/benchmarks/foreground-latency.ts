#!/usr/bin/env node
// What deleting costs the database's own traffic. A foreground workload (point reads by primary
// key and inserts on the demo tables, at a fixed rate, in a process of its own) runs while
// --customers x --rows rows are deleted, once per mode: idle (no deletion), unpaced (pause 0),
// fixed (today's 500-row batches and 5 s pause), adaptive (the pacing controller and its
// signals, with the worker's defaults unless flags say otherwise) and adaptive-pool-cap (the same
// with a cap of the pool size, for contrast). Reports the
// foreground p50/p99 during the deletion and the rows/s deleted, medians of --reps repetitions.
// The deletion side is the worker's batch loop in-process (the store and the pacer, every record
// running at once as under --max-running), without Kafka and Resonate, so the figures are the
// database's alone. Writes bench/results/foreground-latency.{json,md}.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_CONCURRENT_BATCHES,
  DEFAULT_TARGET_BATCH_MS,
  type PacingChange,
  PacingController,
  SignalPoller,
} from "@deletion/pacing";
import {
  classifyPushBack,
  createDemoSchema,
  createPool,
  openPostgresStore,
  pacingSignals,
  TableListSchema,
} from "@deletion/store-postgres";
import { startPostgres } from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { loadAverage, machineFacts } from "../harness/machine.ts";
import { childScript, TS_NODE_ARGS } from "../harness/paths.ts";
import { lastResultsOrExit, writeResultFile, writeResults } from "../harness/results.ts";
import { percentile, round, sleep, spread } from "../harness/stats.ts";

const MODES = ["idle", "unpaced", "fixed", "adaptive", "adaptive-pool-cap"] as const;
type Mode = (typeof MODES)[number];

const USAGE = `Usage: pnpm bench foreground-latency [flags]

  --customers N        customers deleted per run (default 1000)
  --rows N             rows per customer: 1 customer, 9 orders, the rest order lines (default 1000)
  --reps N             repetitions of every mode (default 3)
  --modes LIST         of idle,unpaced,fixed,adaptive,adaptive-pool-cap (default all)
  --rate N             foreground operations per second (default 200)
  --idle-seconds N     how long the idle run measures (default 20)
  --batch-size N       unpaced and fixed batch size, adaptive's start (default 500)
  --pool N             the deleting side's connections (the worker's pool; default 10)
  --target-batch-ms N  adaptive: target batch time (default: the worker's, ${DEFAULT_TARGET_BATCH_MS})
  --max-batch-size N   adaptive: largest batch (default: the worker's, ${DEFAULT_MAX_BATCH_SIZE} or --batch-size if larger)
  --max-concurrent N   adaptive: concurrent batches (default: the worker's, ${DEFAULT_MAX_CONCURRENT_BATCHES});
                       adaptive-pool-cap runs --pool at once
  --render             rewrite the markdown from the last JSON result, measuring nothing
${RESULTS_DIR_USAGE}
  --help               this text

Against DATABASE_URL if set, else a PostgreSQL the test kit starts.
Writes bench/results/foreground-latency.{json,md}.`;
const cli = benchCli("foreground-latency", USAGE, {
  customers: { type: "string", default: "1000" },
  rows: { type: "string", default: "1000" },
  reps: { type: "string", default: "3" },
  modes: { type: "string", default: MODES.join(",") },
  rate: { type: "string", default: "200" },
  "idle-seconds": { type: "string", default: "20" },
  "batch-size": { type: "string", default: "500" },
  pool: { type: "string", default: "10" },
  "target-batch-ms": { type: "string", default: String(DEFAULT_TARGET_BATCH_MS) },
  "max-batch-size": { type: "string" },
  "max-concurrent": { type: "string", default: String(DEFAULT_MAX_CONCURRENT_BATCHES) },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});
const customers = cli.integer("customers");
const rowsPerCustomer = cli.integer("rows", 20);
const reps = cli.integer("reps");
const modes = cli.oneOf("modes", MODES);
const rate = cli.integer("rate");
const idleSeconds = cli.integer("idle-seconds");
const batchSize = cli.integer("batch-size");
const poolSize = cli.integer("pool");
const targetBatchMs = cli.integer("target-batch-ms");
// The worker's rule: the default largest batch, or --batch-size when that is larger.
const maxBatchSize =
  cli.values["max-batch-size"] === undefined
    ? Math.max(batchSize, DEFAULT_MAX_BATCH_SIZE)
    : cli.integer("max-batch-size");
const maxConcurrent = cli.integer("max-concurrent");
const FIXED_PAUSE_MS = 5_000;
const FOREGROUND_CUSTOMERS = 1_000;
const SCHEMA = "bench_foreground";
const TABLES = TableListSchema.parse("order_lines:customer_id,orders:customer_id,customers:id");
const ORDERS = 9;
const linesPerOrder = Math.floor((rowsPerCustomer - 1 - ORDERS) / ORDERS);
const rowsEach = 1 + ORDERS + ORDERS * linesPerOrder;

interface Run {
  mode: Mode;
  rep: number;
  seconds: number;
  rowsDeleted: number;
  rowsPerSecond: number;
  foreground: { ops: number; failed: number; p50Ms: number; p99Ms: number };
  batches: number;
  /** Adaptive: the batch sizes it moved through, and its pacing changes by cause. */
  batchSizes?: { first: number; last: number; min: number; max: number };
  changes?: Record<string, number>;
}

if (cli.values.render) {
  const last = await lastResultsOrExit<Result>("foreground-latency", cli.resultsDir, "foreground-latency");
  await writeResultFile(cli.resultsDir, "foreground-latency.md", render(last));
  process.exit(0);
}
const databaseUrl = process.env.DATABASE_URL;
const server = databaseUrl ? undefined : await startPostgres();
const url = databaseUrl ?? (server?.url as string);
const admin = createPool({ connectionString: url, max: 2, searchPath: SCHEMA, statementTimeoutMs: 0 });
const started = new Date().toISOString();
const load = loadAverage();
const runs: Run[] = [];
try {
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  await createDemoSchema(admin);
  await admin.query(
    "CREATE TABLE IF NOT EXISTS deletion_batches (record_id text NOT NULL, deletion_attempt integer NOT NULL, batch integer NOT NULL, rows_deleted integer NOT NULL, rows_remain boolean NOT NULL, step_attempt integer NOT NULL, deleted_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (record_id, deletion_attempt, batch))",
  );
  // Interleaved: every repetition runs each mode once, so a drift of the machine hits them all.
  for (let rep = 1; rep <= reps; rep++) {
    for (const mode of modes) {
      await seed(mode !== "idle");
      const run = await measure(mode, rep);
      runs.push(run);
      console.error(
        `bench: rep ${rep} ${mode}: foreground p50 ${run.foreground.p50Ms} ms p99 ${run.foreground.p99Ms} ms (${run.foreground.ops} ops); ${run.rowsPerSecond} rows/s over ${run.seconds} s`,
      );
    }
  }
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => {});
  await admin.end();
  await server?.stop();
}

/** The foreground customers f-1..f-1000 (2 orders of 10 lines), and the customers to delete. */
async function seed(withDeletion: boolean): Promise<void> {
  const t = Date.now();
  await admin.query("TRUNCATE order_lines, orders, customers, deletion_batches");
  await admin.query(
    `INSERT INTO customers (id, name) SELECT 'f-' || g, 'foreground' FROM generate_series(1, ${FOREGROUND_CUSTOMERS}) g`,
  );
  if (withDeletion)
    await admin.query(
      `INSERT INTO customers (id, name) SELECT 'd-' || g, 'deleted' FROM generate_series(1, ${customers}) g`,
    );
  await admin.query(
    "INSERT INTO orders (customer_id, total_cents) SELECT c.id, 100 FROM customers c, generate_series(1, CASE WHEN c.id LIKE 'f-%' THEN 2 ELSE $1 END)",
    [ORDERS],
  );
  await admin.query(
    "INSERT INTO order_lines (order_id, customer_id, sku, quantity) SELECT o.id, o.customer_id, 'sku', 1 FROM orders o, generate_series(1, CASE WHEN o.customer_id LIKE 'f-%' THEN 10 ELSE $1 END)",
    [linesPerOrder],
  );
  await admin.query("VACUUM ANALYZE customers, orders, order_lines");
  await admin.query("CHECKPOINT");
  console.error(
    `bench: seeded ${withDeletion ? customers : 0} x ${rowsEach} rows in ${(Date.now() - t) / 1000} s`,
  );
}

async function measure(mode: Mode, rep: number): Promise<Run> {
  const foreground = await startForeground();
  const t0 = Date.now();
  let deleted = { rows: 0, batches: 0 } as Awaited<ReturnType<typeof deleteEverything>>;
  if (mode === "idle") await sleep(idleSeconds * 1000);
  else deleted = await deleteEverything(mode);
  const t1 = Date.now();
  const samples = (await foreground.stop()).filter(([at]) => at >= t0 && at <= t1);
  const ok = samples.map(([, ms]) => ms).filter((ms) => Number.isFinite(ms));
  const seconds = (t1 - t0) / 1000;
  return {
    mode,
    rep,
    seconds: round(seconds, 1),
    rowsDeleted: deleted.rows,
    rowsPerSecond: Math.round(deleted.rows / seconds),
    foreground: {
      ops: samples.length,
      failed: samples.length - ok.length,
      p50Ms: round(percentile(ok, 50), 2),
      p99Ms: round(percentile(ok, 99), 2),
    },
    batches: deleted.batches,
    ...(deleted.sizes ? { batchSizes: deleted.sizes, changes: deleted.changes } : {}),
  };
}

/** Every customer's deletion at once, as the worker runs them: a loop of batches per record. */
async function deleteEverything(mode: Exclude<Mode, "idle">) {
  const pool = createPool({
    connectionString: url,
    max: poolSize,
    searchPath: SCHEMA,
    applicationName: "bench-deletor",
  });
  const signalPool = createPool({ connectionString: url, max: 2, searchPath: SCHEMA });
  const opened = await openPostgresStore({ pool, tables: TABLES, batchSize });
  if (!opened.ok) throw new Error(opened.problem.message);
  const store = opened.store;
  const changes: Record<string, number> = {};
  const sizes: number[] = [];
  let pacer: PacingController | undefined;
  let poller: SignalPoller | undefined;
  if (mode === "adaptive" || mode === "adaptive-pool-cap") {
    pacer = new PacingController({
      mode: "adaptive",
      batchSize: {
        targetBatchMs,
        minBatchSize: Math.min(50, maxBatchSize),
        maxBatchSize,
        initialBatchSize: batchSize,
      },
      maxConcurrentBatches: mode === "adaptive-pool-cap" ? poolSize : maxConcurrent,
      classify: classifyPushBack,
      onChange: (change: PacingChange) => {
        changes[change.cause] = (changes[change.cause] ?? 0) + 1;
      },
    });
    const readers = await pacingSignals({
      pool: signalPool,
      tables: TABLES,
      replicaLag: { from: "primary" },
      maxReplicaLagMs: 1_500,
      autovacuum: true,
      controlTable: null,
    });
    poller = new SignalPoller(pacer, readers, { intervalMs: 1_000 });
    await poller.start();
  }
  const pauseMs = mode === "fixed" ? FIXED_PAUSE_MS : 0;
  let rows = 0;
  let batches = 0;
  const one = async (id: string) => {
    for (let batch = 1; ; batch++) {
      if (batch > 1 && pauseMs > 0) await sleep(pauseMs);
      for (let attempt = 1; ; attempt++) {
        const slot = pacer ? await pacer.acquire() : undefined;
        if (slot) sizes.push(slot.batchSize);
        try {
          if (batch === 1 && attempt === 1) await store.markDeleted(id);
          const result = await store.deleteBatch(id, {
            batch,
            attempt,
            deletionAttempt: 1,
            ...(slot ? { limit: slot.batchSize } : {}),
          });
          slot?.finish({ rowsDeleted: result.rowsDeleted });
          rows += result.rowsDeleted;
          batches += 1;
          if (!result.rowsRemain) return;
          break;
        } catch (error) {
          slot?.finish({ error });
          // The worker's retry: 500 ms, doubling.
          await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: customers }, (_, i) => one(`d-${i + 1}`)));
  } finally {
    poller?.stop();
    pacer?.close();
    await pool.end();
    await signalPool.end();
  }
  const expected = customers * rowsEach;
  if (rows !== expected) throw new Error(`${mode}: deleted ${rows} rows, expected ${expected}`);
  return {
    rows,
    batches,
    sizes: sizes.length
      ? {
          first: sizes[0] as number,
          last: sizes.at(-1) as number,
          min: Math.min(...sizes),
          max: Math.max(...sizes),
        }
      : undefined,
    changes: pacer ? changes : undefined,
  };
}

/** The foreground process, ready; stop() ends it and returns its samples. */
async function startForeground(): Promise<{ stop(): Promise<Array<[number, number, string]>> }> {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, childScript("foreground-load.ts")], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      SEARCH_PATH: SCHEMA,
      RATE: String(rate),
      CUSTOMERS: String(FOREGROUND_CUSTOMERS),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(event: { event: string; samples?: Array<[number, number, string]> }) => void> = [];
  lines.on("line", (line) => {
    const event = JSON.parse(line) as { event: string; samples?: Array<[number, number, string]> };
    waiting.shift()?.(event);
  });
  const next = () =>
    new Promise<{ event: string; samples?: Array<[number, number, string]> }>((resolve, reject) => {
      waiting.push(resolve);
      child.once("exit", (code) => reject(new Error(`the foreground process exited (${code})`)));
    });
  const ready = await next();
  if (ready.event !== "ready") throw new Error(`foreground: ${JSON.stringify(ready)}`);
  return {
    stop: async () => {
      const done = next();
      child.kill("SIGTERM");
      return (await done).samples ?? [];
    },
  };
}

interface Result {
  started: string;
  machine: ReturnType<typeof machineFacts>;
  load: number[];
  argv?: string[];
  postgres: string;
  settings: {
    customers: number;
    rowsPerCustomer: number;
    reps: number;
    rate: number;
    idleSeconds: number;
    batchSize: number;
    pool: number;
    fixedPauseMs: number;
    adaptive: { targetBatchMs: number; maxBatchSize: number; maxConcurrent: number };
  };
  byMode: Array<{
    mode: Mode;
    p50Ms: number;
    p99Ms: number;
    p99Range: number[];
    rowsPerSecond: number;
    seconds: number;
  }>;
  goal?: Record<string, boolean>;
  runs: Run[];
}

// The figures: medians of the repetitions per mode.
const byMode = modes.map((mode) => {
  const of = runs.filter((r) => r.mode === mode);
  return {
    mode,
    p50Ms: round(spread(of.map((r) => r.foreground.p50Ms)).median, 2),
    p99Ms: round(spread(of.map((r) => r.foreground.p99Ms)).median, 2),
    p99Range: [
      Math.min(...of.map((r) => r.foreground.p99Ms)),
      Math.max(...of.map((r) => r.foreground.p99Ms)),
    ],
    rowsPerSecond: Math.round(spread(of.map((r) => r.rowsPerSecond)).median),
    seconds: round(spread(of.map((r) => r.seconds)).median, 1),
  };
});
const figure = (mode: Mode) => byMode.find((m) => m.mode === mode);
const idle = figure("idle");
const unpaced = figure("unpaced");
const fixed = figure("fixed");
const adaptive = figure("adaptive");
const result: Result = {
  started,
  machine: machineFacts(),
  load,
  argv: process.argv.slice(2),
  postgres: server ? server.kind : "from DATABASE_URL",
  settings: {
    customers,
    rowsPerCustomer: rowsEach,
    reps,
    rate,
    idleSeconds,
    batchSize,
    pool: poolSize,
    fixedPauseMs: FIXED_PAUSE_MS,
    adaptive: { targetBatchMs, maxBatchSize, maxConcurrent },
  },
  byMode,
  ...(idle && unpaced && fixed && adaptive
    ? {
        goal: {
          p99WithinTwiceIdle: adaptive.p99Ms <= 2 * idle.p99Ms,
          atLeastHalfUnpacedRate: adaptive.rowsPerSecond >= 0.5 * unpaced.rowsPerSecond,
          beatsFixedOnP99: adaptive.p99Ms < fixed.p99Ms,
          beatsFixedOnRate: adaptive.rowsPerSecond > fixed.rowsPerSecond,
        },
      }
    : {}),
  runs,
};
await writeResults(cli.resultsDir, "foreground-latency", result, render(result));
process.stdout.write(render(result));

function render(r: Result): string {
  const { settings: s, byMode: modesMeasured, goal } = r;
  const of = (mode: Mode) => modesMeasured.find((m) => m.mode === mode);
  const idleFigures = of("idle");
  const unpacedFigures = of("unpaced");
  const yesNo = (b: boolean | undefined) => (b ? "yes" : "**no**");
  const args = (r.argv ?? []).join(" ");
  const batches = (n: number) => `${n} batch${n === 1 ? "" : "es"}`;
  return [
    "# Foreground latency while deleting",
    "",
    `Measured ${r.started.slice(0, 10)} on ${r.machine.cpu} (${r.machine.cores} cores), load average ${r.load.map((l) => l.toFixed(2)).join(" ")} at the start (a machine shared with other work); PostgreSQL ${r.postgres ?? "embedded"}; \`pnpm bench foreground-latency${args ? ` ${args}` : ""}\`.`,
    "",
    `${s.customers.toLocaleString("en-US")} customers x ${s.rowsPerCustomer.toLocaleString("en-US")} rows deleted per run, every record at once, while a foreground process reads rows by primary key and inserts lines at ${s.rate} operations/s (open loop). Medians of ${s.reps} repetitions, the modes interleaved; the foreground figures cover the deletion's whole run (idle: ${s.idleSeconds} s).`,
    `unpaced: ${s.batchSize}-row batches, no pause; fixed: ${s.batchSize}-row batches, ${s.fixedPauseMs / 1000} s pause between a record's batches; adaptive: the pacing controller (start ${s.batchSize} rows, at most ${s.adaptive.maxBatchSize}, target ${s.adaptive.targetBatchMs} ms, at most ${batches(s.adaptive.maxConcurrent)} at once, autovacuum and replica lag read every second), no pause; adaptive-pool-cap: the same with ${batches(s.pool)} at once (the pool size). The deleting side has ${s.pool} connections.`,
    "",
    "| mode | foreground p50 (ms) | foreground p99 (ms) | p99 range | rows deleted/s | run (s) |",
    "| ---- | ------------------: | ------------------: | --------- | -------------: | ------: |",
    ...modesMeasured.map(
      (m) =>
        `| ${m.mode} | ${m.p50Ms} | ${m.p99Ms} | ${m.p99Range[0]}-${m.p99Range[1]} | ${m.mode === "idle" ? "-" : m.rowsPerSecond.toLocaleString("en-US")} | ${m.seconds} |`,
    ),
    "",
    ...(goal && idleFigures && unpacedFigures
      ? [
          "The goal, read from the medians of this run:",
          "",
          `- adaptive p99 within 2x idle (${round(2 * idleFigures.p99Ms, 2)} ms): ${yesNo(goal.p99WithinTwiceIdle)}`,
          `- adaptive at least half the unpaced rate (${Math.round(0.5 * unpacedFigures.rowsPerSecond).toLocaleString("en-US")} rows/s): ${yesNo(goal.atLeastHalfUnpacedRate)}`,
          `- adaptive beats fixed on p99: ${yesNo(goal.beatsFixedOnP99)}; on rows/s: ${yesNo(goal.beatsFixedOnRate)}`,
          "",
        ]
      : []),
    "Every run (adaptive: the batch sizes it used and its changes of pace by cause):",
    "",
    "| rep | mode | p50 (ms) | p99 (ms) | ops | rows/s | batches | batch sizes | changes |",
    "| --: | ---- | -------: | -------: | --: | -----: | ------: | ----------- | ------- |",
    ...r.runs.map(
      (run) =>
        `| ${run.rep} | ${run.mode} | ${run.foreground.p50Ms} | ${run.foreground.p99Ms} | ${run.foreground.ops} | ${run.mode === "idle" ? "-" : run.rowsPerSecond} | ${run.batches} | ${run.batchSizes ? `${run.batchSizes.first} -> ${run.batchSizes.last} (${run.batchSizes.min}-${run.batchSizes.max})` : ""} | ${
          run.changes
            ? Object.entries(run.changes)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")
            : ""
        } |`,
    ),
    "",
  ].join("\n");
}
