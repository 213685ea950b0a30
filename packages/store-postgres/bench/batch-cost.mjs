#!/usr/bin/env node
// The cost of one batch (500 rows of one record) as the table grows: order_lines at 10^5, 10^6
// and 10^7 rows, 1,000 rows per customer, indexed on customer_id. With the index a batch reads
// only its own rows, so its time should stay flat; EXPLAIN shows the plan. Against DATABASE_URL if
// set, else a PostgreSQL the test kit starts. Writes bench/results/postgres-batch-cost.{json,md}.
// Usage: pnpm --filter @deletion/store-postgres bench [-- --max 10000000]
import { mkdirSync, writeFileSync } from "node:fs";
import { benchArgs, startPostgres } from "@deletion/test-kit";
import { createDemoSchema, createPool, openPostgresStore, TableListSchema } from "../dist/index.js";

const USAGE = `Usage: node bench/batch-cost.mjs [--max N] [--samples N]

  --max N       largest order_lines table measured: 100000, 1000000, 10000000 up to N
                (default 10000000)
  --samples N   batches timed at each size (default 30)
  --help        this text`;
const values = benchArgs("batch-cost", USAGE, {
  max: { type: "string", default: "10000000" },
  samples: { type: "string", default: "30" },
});
const max = Number(values.max);
const samples = Number(values.samples);
if (!(Number.isInteger(max) && max >= 100_000) || !(Number.isInteger(samples) && samples >= 1)) {
  console.error(
    `batch-cost: --max must be an integer of at least 100000, --samples a positive integer\n\n${USAGE}`,
  );
  process.exit(2);
}
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
const results = [];
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
    const times = [];
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
        explain = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
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

const out = new URL("../../../bench/results/", import.meta.url);
mkdirSync(out, { recursive: true });
const when = new Date().toISOString();
writeFileSync(
  new URL("postgres-batch-cost.json", out),
  `${JSON.stringify({ when, results, explain }, null, 2)}\n`,
);
const md = [
  "# Cost of one PostgreSQL batch as the table grows",
  "",
  `Measured ${when.slice(0, 10)} (2 cores; PostgreSQL ${server.kind}); \`pnpm --filter @deletion/store-postgres bench\`.`,
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
writeFileSync(new URL("postgres-batch-cost.md", out), md);
process.stdout.write(md);

function round(ms) {
  return Math.round(ms * 100) / 100;
}
