#!/usr/bin/env node
// One bulk deletion end to end: a tenant of N customers (each 1 customer row, 1 order, 2 order
// lines) among N × (tenants - 1) others, deleted by one BulkDeletionRequested (selector tenant)
// with 3 workers on a Resonate server and PostgreSQL. Measures, from the request's publish
// (acknowledged by the broker): the whole selection soft-deleted, every record requested (fan-out
// done), and the bulk's end (its completion); records/s end to end. Checks that nothing of the
// tenant is left and the other tenants are untouched. Broker, server and database: the test
// kit's (KAFKA_BROKERS / RESONATE_URL / DATABASE_URL if set). Writes bench/results/bulk.{json,md}.
// Usage: pnpm bench bulk [--records 100000] [--tenants 2] [--workers 3] [--page-size 500]
import { randomBytes } from "node:crypto";
import { BULK_LOG_EVENTS, encodeBulkDeletionRequested } from "@deletion/contracts";
import { createIdempotentProducer } from "@deletion/kafka";
import { createPool, seedDemoData } from "@deletion/store-postgres";
import { startBroker, startPostgres, startResonateServer, uniqueName } from "@deletion/test-kit";
import pg from "pg";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { createTopics, kafkaFor, topicsFor, workerEnv } from "../harness/kafka.ts";
import { environmentFacts, loadAverage } from "../harness/machine.ts";
import { WORKER_MAIN } from "../harness/paths.ts";
import { type LogLine, type NodeProcess, startNodeProcess } from "../harness/process.ts";
import { writeResults } from "../harness/results.ts";
import { round } from "../harness/stats.ts";

const USAGE = `Usage: pnpm bench bulk [--records N] [--tenants T] [--workers W] [--page-size P]

  --records N       customers of the tenant deleted (default 100000)
  --tenants T       tenants seeded, N customers each; tenant-1 is deleted (default 2)
  --workers W       worker processes (default 3)
  --page-size P     the workers' --bulk-page-size (default 500)
  --timeout-min M   give up after this many minutes (default 60)
${RESULTS_DIR_USAGE}
  --help            this text

Writes bench/results/bulk.{json,md}.`;
const cli = benchCli("bulk", USAGE, {
  records: { type: "string", default: "100000" },
  tenants: { type: "string", default: "2" },
  workers: { type: "string", default: "3" },
  "page-size": { type: "string", default: "500" },
  "timeout-min": { type: "string", default: "60" },
  ...RESULTS_DIR_FLAG,
});
const records = cli.integer("records");
const tenants = cli.integer("tenants", 2);
const workerCount = cli.integer("workers");
const pageSize = cli.integer("page-size");
const timeoutMs = cli.integer("timeout-min") * 60_000;
if (pageSize > 5_000) cli.fail("--page-size must be at most 5000");

interface Result {
  records: number;
  others: number;
  rowsPerRecord: number;
  workers: number;
  pageSize: number;
  /** Seconds from the request's publish. */
  softDeletedSeconds: number;
  requestedSeconds: number;
  completedSeconds: number;
  softDeletedPerSecond: number;
  recordsPerSecond: number;
  completion: Record<string, unknown>;
  tenantRowsLeft: number;
  othersChanged: number;
  loadAverageAtEnd: number[];
}

const [broker, server, database] = await Promise.all([startBroker(), startResonateServer(), startPostgres()]);
const facts = await environmentFacts(broker, server);
const schema = `bulkbench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
await admin.end();
const pool = createPool({
  connectionString: database.url,
  max: 2,
  searchPath: schema,
  applicationName: "bench",
});
const workers: NodeProcess[] = [];
let result: Result | undefined;
let exitCode = 0;

/** Rows of one tenant over the three tables, and how many of its customers are flagged. */
async function tenantRows(tenant: string): Promise<{ rows: number; flagged: number }> {
  const { rows } = await pool.query<{ rows: string; flagged: string }>(
    `SELECT (SELECT count(*) FROM customers WHERE tenant_id = $1)
          + (SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id = $1)
          + (SELECT count(*) FROM order_lines l JOIN customers c ON c.id = l.customer_id WHERE c.tenant_id = $1) AS rows,
            (SELECT count(*) FROM customers WHERE tenant_id = $1 AND deleted_at IS NOT NULL) AS flagged`,
    [tenant],
  );
  return { rows: Number(rows[0]?.rows), flagged: Number(rows[0]?.flagged) };
}

/** Every customer of the other tenants with its orders, lines and flag: what must not change. */
async function othersSnapshot(): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; v: string }>(
    `SELECT c.id, concat_ws('/', c.deleted_at, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id),
            (SELECT count(*) FROM order_lines l WHERE l.customer_id = c.id)) AS v
       FROM customers c WHERE c.tenant_id <> 'tenant-1'`,
  );
  return new Map(rows.map((r) => [r.id, r.v]));
}

try {
  const base = uniqueName("bulkbench");
  console.error(`bench: seeding ${records * tenants} customers over ${tenants} tenants`);
  await seedDemoData(pool, {
    records: records * tenants,
    tenants,
    idPrefix: `${base}-c-`,
    padIds: true,
    orders: { min: 1, max: 1 },
    lines: { min: 2, max: 2 },
    chunk: 5_000,
  });
  await pool.query("ANALYZE customers; ANALYZE orders; ANALYZE order_lines");
  const before = await tenantRows("tenant-1");
  const othersBefore = await othersSnapshot();

  const topics = topicsFor(base);
  const bulkTopic = `${base}.bulk`;
  const bulkDone = `${base}.bulk-done`;
  await createTopics(broker.bootstrapServers, {
    [topics.input]: 6,
    [topics.output]: 1,
    [topics.dlq]: 1,
    [bulkTopic]: 1,
    [bulkDone]: 1,
  });

  let softDeleted = 0;
  let requested = 0;
  let submittedAt = 0;
  let softDeletedAt = 0;
  let requestedAt = 0;
  const completed = Promise.withResolvers<{ at: number; line: LogLine }>();
  for (let w = 0; w < workerCount; w++) {
    const worker = startNodeProcess(WORKER_MAIN, {
      name: `worker ${w}`,
      env: {
        ...workerEnv({ brokers: broker.bootstrapServers, topics, base, resonateUrl: server.url }),
        RESONATE_PID: `${base}-${w}`,
        RECORD_STORE: "postgres",
        DATABASE_URL: database.url,
        DELETE_TABLES: `${schema}.order_lines:customer_id,${schema}.orders:customer_id,${schema}.customers:id`,
        BULK_SELECTORS: "tenant=customers.tenant_id",
        BULK_TOPIC: bulkTopic,
        BULK_COMPLETION_TOPIC: bulkDone,
        BULK_GROUP_ID: `${base}.bulk-workers`,
        BULK_PAGE_SIZE: String(pageSize),
        LOG_LEVEL: "info",
      },
    });
    workers.push(worker);
    worker.follow((line) => {
      if (line.event === BULK_LOG_EVENTS.bulkSoftDeleted) {
        softDeleted += Number(line.marked);
        if (softDeleted >= records && softDeletedAt === 0) softDeletedAt = performance.now();
      } else if (line.event === BULK_LOG_EVENTS.bulkPagePublished) {
        requested += Number(line.records);
        if (requested >= records && requestedAt === 0) requestedAt = performance.now();
      } else if (line.event === BULK_LOG_EVENTS.bulkCompleted) {
        completed.resolve({ at: performance.now(), line });
      }
    });
  }
  await Promise.all(
    workers.map((w) =>
      w.waitFor((l) => l.event === "assigned" && Array.isArray(l.partitions), 120_000, "partitions"),
    ),
  );

  const producer = createIdempotentProducer(kafkaFor(broker.bootstrapServers, "bench-bulk"));
  await producer.connect();
  const bulkId = `${base}-tenant-1`;
  const startLoad = loadAverage();
  facts.loadAverage = startLoad;
  facts.date = new Date().toISOString();
  submittedAt = performance.now();
  await producer.send({
    topic: bulkTopic,
    messages: [
      {
        key: bulkId,
        value: encodeBulkDeletionRequested({
          schemaVersion: 1,
          bulkId,
          requestedAt: new Date().toISOString(),
          selector: "tenant",
          params: { tenant: "tenant-1" },
        }),
      },
    ],
  });
  await producer.disconnect();
  console.error(
    `bench: submitted bulk ${bulkId} (${records} records), load average ${startLoad.join(" / ")}`,
  );
  const progress = setInterval(
    () => console.error(`bench: soft-deleted ${softDeleted}, requested ${requested}`),
    30_000,
  );
  const timer = setTimeout(
    () => completed.reject(new Error(`no bulk completion in ${timeoutMs} ms`)),
    timeoutMs,
  );
  const end = await completed.promise.finally(() => {
    clearTimeout(timer);
    clearInterval(progress);
  });
  const after = await tenantRows("tenant-1");
  const othersAfter = await othersSnapshot();
  let othersChanged = Math.abs(othersAfter.size - othersBefore.size);
  for (const [id, v] of othersBefore) if (othersAfter.get(id) !== v) othersChanged++;
  const seconds = (at: number) => round((at - submittedAt) / 1000, 2);
  const line = end.line;
  result = {
    records,
    others: othersBefore.size,
    rowsPerRecord: before.rows / records,
    workers: workerCount,
    pageSize,
    softDeletedSeconds: seconds(softDeletedAt),
    requestedSeconds: seconds(requestedAt),
    completedSeconds: seconds(end.at),
    softDeletedPerSecond: round(records / ((softDeletedAt - submittedAt) / 1000), 0),
    recordsPerSecond: round(records / ((end.at - submittedAt) / 1000), 1),
    completion: {
      status: line.status,
      matched: line.matched,
      requested: line.requested,
      deleted: line.deleted,
      failed: line.failed,
    },
    tenantRowsLeft: after.rows,
    othersChanged,
    loadAverageAtEnd: loadAverage(),
  };
  console.error(`bench: ${JSON.stringify(result)}`);
  if (line.status !== "completed" || line.deleted !== records || after.rows !== 0 || othersChanged !== 0) {
    console.error("bulk: the bulk did not delete exactly the tenant (see the figures above)");
    exitCode = 1;
  }
} catch (error) {
  console.error(`bulk: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
  await pool.end();
  await Promise.all([broker.stop(), server.dispose(), database.stop()]);
}

if (result) {
  const r = result;
  const md = [
    "# Bulk deletion: one tenant, end to end",
    "",
    `${facts.cores} cores (${facts.cpu}), ${facts.memoryGiB} GiB, Node ${facts.node}; server ${facts.server}; broker: ${facts.broker}; PostgreSQL ${database.kind}. Measured ${facts.date}, load average ${facts.loadAverage.join(" / ")} at the submit, ${r.loadAverageAtEnd.join(" / ")} at the end (${facts.shared}).`,
    "",
    `\`pnpm bench bulk --records ${r.records}\`: ${r.records.toLocaleString("en-US")} customers of tenant-1 (${r.rowsPerRecord} rows each: the customer, 1 order, 2 order lines) among ${r.others.toLocaleString("en-US")} customers of other tenants; one \`BulkDeletionRequested\` (selector \`tenant\`) to ${r.workers} workers, \`--bulk-page-size ${r.pageSize}\`, soft-delete batches of 1,000, \`BATCH_SLEEP_MS=0\`, every other setting the workers' default (delete batch size 500, pacing). Times from the request's publish (acknowledged by the broker) to the worker's log line: the last soft-delete batch, the last page published, the bulk's end (every record finished, completion published).`,
    "",
    "| matching records | all soft-deleted (s) | soft-deleted/s | all requested (s) | bulk ended (s) | records/s end to end | completion | rows of the tenant left | other customers changed |",
    "| ---------------: | -------------------: | -------------: | ----------------: | -------------: | -------------------: | ---------- | ----------------------: | ----------------------: |",
    `| ${r.records.toLocaleString("en-US")} | ${r.softDeletedSeconds} | ${r.softDeletedPerSecond.toLocaleString("en-US")} | ${r.requestedSeconds} | ${r.completedSeconds} | ${r.recordsPerSecond} | ${r.completion.status}: matched ${r.completion.matched}, requested ${r.completion.requested}, deleted ${r.completion.deleted}, failed ${r.completion.failed} | ${r.tenantRowsLeft} | ${r.othersChanged} |`,
    "",
  ].join("\n");
  await writeResults(cli.resultsDir, "bulk", { facts, result: r }, md);
  process.stdout.write(md);
}
process.exit(exitCode);
