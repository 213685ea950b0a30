#!/usr/bin/env node
// The cost of one batch (500 rows of one record) as the table grows: order_lines at 10^5, 10^6
// and 10^7 rows, 1,000 rows per customer, indexed on customer_id. With the index a batch reads
// only its own rows, so its time should stay flat; EXPLAIN shows the plan. Against DATABASE_URL if
// set, else a PostgreSQL the test kit starts. Writes bench/results/postgres-batch-cost.{json,md}.
// Usage: pnpm bench postgres-batch-cost [--max 10000000] (formerly packages/store-postgres/bench/batch-cost.mjs)
// createDemoSchema is not among the package's exports (only seedDemoData is): its built file.
import { createDemoSchema, createPool, openPostgresStore, TableListSchema } from "@deletion/store-postgres";
import { startPostgres } from "@deletion/test-kit";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { writeResults } from "../harness/results.ts";

const USAGE = `Usage: pnpm bench postgres-batch-cost [--max N] [--samples N]

  --max N       largest order_lines table measured: 100000, 1000000, 10000000 up to N
                (default 10000000)
  --samples N   batches timed at each size (default 30)
${RESULTS_DIR_USAGE}
  --help        this text

Writes bench/results/postgres-batch-cost.{json,md}.`;
const cli = benchCli("postgres-batch-cost", USAGE, {
  max: { type: "string", default: "10000000" },
  samples: { type: "string", default: "30" },
  ...RESULTS_DIR_FLAG,
});
const max = cli.integer("max", 100_000);
const samples = cli.integer("samples");
const sizes = [100_000, 1_000_000, 10_000_000].filter((n) => n <= max);
const ROWS_PER_CUSTOMER = 1_000;
const BATCH = 500;

const server = await startPostgres();
const pool = createPool({
  connectionString: server.url,
  max: 2,
  searchPath: "bench_batch",
  statementTimeoutMs: 0,
});
interface Row {
  tableRows: number;
  samples: number;
  batchRows: number;
  medianMs: number;
  p90Ms: number;
  loadSeconds: number;
}
const results: Row[] = [];
let explain = "";
try {
  await pool.query("DROP SCHEMA IF EXISTS bench_batch CASCADE; CREATE SCHEMA bench_batch");
  await createDemoSchema(pool);
  // Only order_lines grows here; the batch under test deletes from it.
  await pool.query("ALTER TABLE order_lines DROP CONSTRAINT IF EXISTS order_lines_order_id_fkey");
  const opened = await openPostgresStore({
    pool,
    tables: TableListSchema.parse("order_lines:customer_id,orders:customer_id,customers:id"),
    batchSize: BATCH,
  });
  if (!opened.ok) throw new Error(opened.problem.message);
  const store = opened.store;
  let loaded = 0;
  for (const size of sizes) {
    const started = Date.now();
    // Customers c-<n> with 1,000 lines each, added up to this size.
    await pool.query(
      `INSERT INTO order_lines (order_id, customer_id, sku, quantity)
       SELECT 0, 'c-' || (g / ${ROWS_PER_CUSTOMER}), 'sku', 1 FROM generate_series($1::bigint, $2::bigint - 1) g`,
      [loaded, size],
    );
    loaded = size;
    await pool.query("VACUUM ANALYZE order_lines");
    const loadSeconds = (Date.now() - started) / 1000;
    const customers = size / ROWS_PER_CUSTOMER;
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = `c-${Math.floor(((i + 0.5) * customers) / samples)}`;
      const t = performance.now();
      const result = await store.deleteBatch(id, { batch: 1, attempt: 1, deletionAttempt: 1 });
      times.push(performance.now() - t);
      if (result.rowsDeleted !== BATCH)
        throw new Error(`${id}: deleted ${result.rowsDeleted}, expected ${BATCH}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const p90 = times[Math.floor(times.length * 0.9)];
    results.push({
      tableRows: size,
      samples,
      batchRows: BATCH,
      medianMs: round(median),
      p90Ms: round(p90),
      loadSeconds,
    });
    console.error(`bench: ${size} rows: batch of ${BATCH} median ${round(median)} ms, p90 ${round(p90)} ms`);
    if (size === sizes.at(-1)) {
      const id = `c-${Math.floor(customers / 3)}`;
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const plan = await client.query(
          `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
           DELETE FROM order_lines WHERE ctid = ANY(ARRAY(SELECT ctid FROM order_lines WHERE customer_id = $1 LIMIT $2))`,
          [id, BATCH],
        );
        explain = plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
    }
  }
} finally {
  await pool.query("DROP SCHEMA IF EXISTS bench_batch CASCADE").catch(() => {});
  await pool.end();
  await server.stop();
}

const when = new Date().toISOString();
const md = [
  "# Cost of one PostgreSQL batch as the table grows",
  "",
  `Measured ${when.slice(0, 10)} (2 cores; PostgreSQL ${server.kind}); \`pnpm bench postgres-batch-cost\`.`,
  `One batch deletes ${BATCH} of a customer's ${ROWS_PER_CUSTOMER} rows from \`order_lines\`, indexed on \`customer_id\`.`,
  "",
  "| rows in order_lines | batch median (ms) | batch p90 (ms) |",
  "| ------------------: | ----------------: | -------------: |",
  ...results.map((r) => `| ${r.tableRows.toLocaleString("en-US")} | ${r.medianMs} | ${r.p90Ms} |`),
  "",
  `The plan at ${results.at(-1)?.tableRows.toLocaleString("en-US")} rows: the index finds the record's rows, the TID scan deletes exactly them.`,
  "",
  "```",
  explain,
  "```",
  "",
].join("\n");
await writeResults(cli.resultsDir, "postgres-batch-cost", { when, results, explain }, md);
process.stdout.write(md);

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
