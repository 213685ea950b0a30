#!/usr/bin/env node
// Rows deleted per second by the PostgreSQL store through the whole pipeline: 1,000 customers
// with 1,000 rows each (1 customer, 9 orders, 990 order lines), batch size 500, no pause between
// batches, with one worker and with three sharing a Resonate server. Measured from the first
// dispatch to the last completion. Broker, server and database: KAFKA_BROKERS / RESONATE_URL /
// DATABASE_URL if set, else the test kit's. Writes bench/results/postgres-throughput.{json,md}.
// Usage: node bench/postgres-throughput.mjs [--records 1000] [--workers 1,3]
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  produceDeletionRequests,
} from "@deletion/kafka";
import { createPool, seedDemoData } from "@deletion/store-postgres";
import { benchArgs, startBroker, startPostgres, startResonateServer, uniqueName } from "@deletion/test-kit";
import { workerEnv } from "./bench-kit.mjs";

const USAGE = `Usage: node bench/postgres-throughput.mjs [--records N] [--workers LIST]

  --records N     customers of 1,000 rows each to delete (default 1000)
  --workers LIST  worker counts to measure, one run each (default 1,3)
  --help          this text`;
const values = benchArgs("postgres-throughput", USAGE, {
  records: { type: "string", default: "1000" },
  workers: { type: "string", default: "1,3" },
});
const records = Number(values.records);
const workerCounts = values.workers.split(",").map(Number);
if (
  !(Number.isInteger(records) && records >= 1) ||
  !workerCounts.every((n) => Number.isInteger(n) && n >= 1)
) {
  console.error(
    `postgres-throughput: --records and every --workers entry must be positive integers\n\n${USAGE}`,
  );
  process.exit(2);
}
const ROWS_PER_RECORD = 1_000;
const BATCH = 500;

const [broker, server, database] = await Promise.all([startBroker(), startResonateServer(), startPostgres()]);
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "postgres-bench" });
const pool = createPool({ connectionString: database.url, max: 2, applicationName: "bench" });
const results = [];
let exitCode = 0;
try {
  for (const workers of workerCounts) {
    const base = uniqueName(`pgbench-${workers}w`);
    const idPrefix = `${base}-c`;
    const ids = Array.from({ length: records }, (_, i) => `${idPrefix}-${String(i + 1).padStart(6, "0")}`);
    // 1 + 9 + 9 × 110 = 1,000 rows per customer.
    await seedDemoData(pool, { records, ids, orders: { min: 9, max: 9 }, lines: { min: 110, max: 110 } });
    const topics = { input: `${base}.requests`, output: `${base}.completions`, dlq: `${base}.dlq` };
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
    const finished = Promise.withResolvers();
    const procs = [];
    for (let w = 0; w < workers; w++) {
      const child = spawn(process.execPath, [new URL("../dist/main.js", import.meta.url).pathname], {
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
      await Promise.all(procs.map((child) => new Promise((resolve) => child.once("exit", resolve))));
    }
  }
} catch (error) {
  console.error(`bench: ${error.message}`);
  exitCode = 1;
} finally {
  await pool.end();
  await Promise.all([broker.stop(), server.dispose(), database.stop()]);
}
if (results.length > 0) {
  const out = new URL("../../../bench/results/", import.meta.url);
  mkdirSync(out, { recursive: true });
  const when = new Date().toISOString();
  writeFileSync(new URL("postgres-throughput.json", out), `${JSON.stringify({ when, results }, null, 2)}\n`);
  const md = [
    "# Rows deleted per second, PostgreSQL store, whole pipeline",
    "",
    `Measured ${when.slice(0, 10)} on 2 cores (broker ${broker.kind}, Resonate server ${server.kind}, PostgreSQL ${database.kind}, all on the same machine);`,
    "`node apps/deletor-worker/bench/postgres-throughput.mjs`. First dispatch to last completion.",
    "",
    "| workers | records | rows per record | batch size | seconds | rows/s | records/s | order lines left |",
    "| ------: | ------: | --------------: | ---------: | ------: | -----: | --------: | ---------------: |",
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.records} | ${r.rowsPerRecord} | ${r.batchSize} | ${r.seconds} | ${r.rowsPerSecond.toLocaleString("en-US")} | ${r.recordsPerSecond} | ${r.orderLinesLeft} |`,
    ),
    "",
  ].join("\n");
  writeFileSync(new URL("postgres-throughput.md", out), md);
  process.stdout.write(md);
}
process.exit(exitCode);
