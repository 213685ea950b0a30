// The foreground workload of the foreground-latency benchmark: point reads by primary key and
// inserts on the demo tables at a fixed rate (open loop: an operation starts on schedule whether
// or not the ones before it have finished, so a slow database shows as latency, not as fewer
// operations). Prints {"event":"ready"} once connected; on SIGTERM prints
// {"event":"done","samples":[[startedAtMs, latencyMs, kind], ...]} and exits.
// Env: DATABASE_URL, SEARCH_PATH, RATE (operations/s), CUSTOMERS (foreground customers f-1..f-N).
import pg from "pg";

const rate = Number(process.env.RATE ?? "200");
const customers = Number(process.env.CUSTOMERS ?? "1000");
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 8,
  application_name: "bench-foreground",
  options: `-c search_path=${process.env.SEARCH_PATH ?? "public"}`,
});
pool.on("error", () => {});

const bounds = await pool.query<{ lo: string; hi: string }>(
  "SELECT min(id)::text AS lo, max(id)::text AS hi FROM order_lines WHERE customer_id LIKE 'f-%'",
);
const lo = Number(bounds.rows[0]?.lo);
const hi = Number(bounds.rows[0]?.hi);
const orders = await pool.query<{ id: string; customer_id: string }>(
  "SELECT id::text, customer_id FROM orders WHERE customer_id LIKE 'f-%'",
);
const samples: Array<[number, number, string]> = [];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function operation(): { kind: string; run: () => Promise<unknown> } {
  const r = Math.random();
  if (r < 0.45) {
    const id = lo + Math.floor(Math.random() * (hi - lo + 1));
    return { kind: "read_line", run: () => pool.query("SELECT * FROM order_lines WHERE id = $1", [id]) };
  }
  if (r < 0.9) {
    const id = `f-${1 + Math.floor(Math.random() * customers)}`;
    return { kind: "read_customer", run: () => pool.query("SELECT * FROM customers WHERE id = $1", [id]) };
  }
  const order = pick(orders.rows);
  return {
    kind: "insert_line",
    run: () =>
      pool.query("INSERT INTO order_lines (order_id, customer_id, sku, quantity) VALUES ($1, $2, 'fg', 1)", [
        order.id,
        order.customer_id,
      ]),
  };
}

const intervalMs = 1000 / rate;
const start = performance.now();
let issued = 0;
let stopping = false;
const tick = () => {
  if (stopping) return;
  // Catch up on schedule: a late timer issues what it owes, so the rate holds under load.
  const due = Math.floor((performance.now() - start) / intervalMs) + 1;
  for (; issued < due; issued++) {
    const { kind, run } = operation();
    const t0 = performance.now();
    const at = Date.now();
    void run().then(
      () => samples.push([at, performance.now() - t0, kind]),
      () => samples.push([at, Number.NaN, kind]),
    );
  }
  setTimeout(tick, Math.max(0, start + issued * intervalMs - performance.now()));
};
process.on("SIGTERM", () => {
  stopping = true;
  process.stdout.write(`${JSON.stringify({ event: "done", samples })}\n`, () => {
    void pool.end().finally(() => process.exit(0));
  });
});
process.stdout.write(`${JSON.stringify({ event: "ready", lo, hi })}\n`);
tick();
