#!/usr/bin/env node
// Rows deleted per second by the PostgreSQL store through the whole pipeline: 1,000 customers
// with 1,000 rows each (1 customer, 9 orders, 990 order lines), batch size 500, no pause between
// batches, with one worker and with three sharing a Resonate server. Measured from the first
// dispatch to the last completion. Broker, server and database: KAFKA_BROKERS / RESONATE_URL /
// DATABASE_URL if set, else the test kit's. Writes bench/results/postgres-throughput.{json,md}.
// Usage: pnpm bench postgres-throughput [--records 1000] [--workers 1,3]
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  produceDeletionRequests,
} from "@deletion/kafka";
import { createPool, seedDemoData } from "@deletion/store-postgres";
import { startBroker, startPostgres, startResonateServer, uniqueName } from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { topicsFor, workerEnv } from "../harness/kafka.ts";
import { WORKER_MAIN } from "../harness/paths.ts";
import { exited } from "../harness/process.ts";
import { writeResults } from "../harness/results.ts";

const USAGE = `Usage: pnpm bench postgres-throughput [--records N] [--workers LIST]

  --records N       customers of 1,000 rows each to delete (default 1000)
  --workers LIST    worker counts to measure, one run each (default 1,3)
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/postgres-throughput.{json,md}.`;
const cli = benchCli("postgres-throughput", USAGE, {
  records: { type: "string", default: "1000" },
  workers: { type: "string", default: "1,3" },
  ...RESULTS_DIR_FLAG,
});
const records = cli.integer("records");
const workerCounts = cli.integers("workers");
const ROWS_PER_RECORD = 1_000;
const BATCH = 500;

const [broker, server, database] = await Promise.all([startBroker(), startResonateServer(), startPostgres()]);
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "postgres-bench" });
const pool = createPool({ connectionString: database.url, max: 2, applicationName: "bench" });
interface Row {
  workers: number;
  records: number;
  rowsPerRecord: number;
  batchSize: number;
  seconds: number;
  rowsDeleted: number;
  rowsPerSecond: number;
  recordsPerSecond: number;
  orderLinesLeft: number;
}
const results: Row[] = [];
let exitCode = 0;
try {
  for (const workers of workerCounts) {
    const base = uniqueName(`pgbench-${workers}w`);
    const idPrefix = `${base}-c`;
    const ids = Array.from({ length: records }, (_, i) => `${idPrefix}-${String(i + 1).padStart(6, "0")}`);
    // 1 + 9 + 9 × 110 = 1,000 rows per customer.
    await seedDemoData(pool, { records, ids, orders: { min: 9, max: 9 }, lines: { min: 110, max: 110 } });
    const topics = topicsFor(base);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      Object.values(topics).map((name) => ({ name, partitions: 6, replicationFactor: 1 })),
      30_000,
    );
    await admin.disconnect();

    let firstDispatch = 0;
    let completed = 0;
    let rows = 0;
    const finished = Promise.withResolvers<number>();
    const procs: ChildProcess[] = [];
    for (let w = 0; w < workers; w++) {
      const child = spawn(process.execPath, [WORKER_MAIN], {
        env: {
          ...process.env,
          ...workerEnv({ brokers: broker.bootstrapServers, topics, base, resonateUrl: server.url }),
          RESONATE_PID: `${base}-${w}`,
          MAX_IN_FLIGHT: "200",
          RECORD_STORE: "postgres",
          DATABASE_URL: database.url,
          DELETE_TABLES: "order_lines:customer_id,orders:customer_id,customers:id",
          DELETE_BATCH_SIZE: String(BATCH),
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      procs.push(child);
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line.includes('"event":"dispatched"') && firstDispatch === 0) firstDispatch = performance.now();
        if (line.includes('"event":"batch_deleted"'))
          rows += Number(/"rowsDeleted":(\d+)/.exec(line)?.[1] ?? 0);
        if (line.includes('"event":"completed"') && ++completed === records)
          finished.resolve(performance.now());
      });
    }
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    await produceDeletionRequests(producer, { topic: topics.input, count: records, idPrefix });
    await producer.disconnect();
    const timeout = setTimeout(
      () => finished.reject(new Error(`only ${completed} of ${records} completed in 15 min`)),
      900_000,
    );
    try {
      const end = await finished.promise;
      const seconds = (end - firstDispatch) / 1000;
      const left = await pool.query(
        "SELECT count(*)::int AS n FROM order_lines WHERE customer_id = ANY($1)",
        [ids],
      );
      const result = {
        workers,
        records,
        rowsPerRecord: ROWS_PER_RECORD,
        batchSize: BATCH,
        seconds: Math.round(seconds * 100) / 100,
        rowsDeleted: rows,
        rowsPerSecond: Math.round(rows / seconds),
        recordsPerSecond: Math.round((records / seconds) * 10) / 10,
        orderLinesLeft: left.rows[0].n,
      };
      results.push(result);
      console.error(`bench: ${JSON.stringify(result)}`);
    } finally {
      clearTimeout(timeout);
      for (const child of procs) child.kill("SIGTERM");
      await Promise.all(procs.map(exited));
    }
  }
} catch (error) {
  console.error(`postgres-throughput: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await pool.end();
  await Promise.all([broker.stop(), server.dispose(), database.stop()]);
}
if (results.length > 0) {
  const when = new Date().toISOString();
  const md = [
    "# Rows deleted per second, PostgreSQL store, whole pipeline",
    "",
    `Measured ${when.slice(0, 10)} on 2 cores (broker ${broker.kind}, Resonate server ${server.kind}, PostgreSQL ${database.kind}, all on the same machine);`,
    "`pnpm bench postgres-throughput`. First dispatch to last completion.",
    "",
    "| workers | records | rows per record | batch size | seconds | rows/s | records/s | order lines left |",
    "| ------: | ------: | --------------: | ---------: | ------: | -----: | --------: | ---------------: |",
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.records} | ${r.rowsPerRecord} | ${r.batchSize} | ${r.seconds} | ${r.rowsPerSecond.toLocaleString("en-US")} | ${r.recordsPerSecond} | ${r.orderLinesLeft} |`,
    ),
    "",
  ].join("\n");
  await writeResults(cli.resultsDir, "postgres-throughput", { when, results }, md);
  process.stdout.write(md);
}
process.exit(exitCode);
