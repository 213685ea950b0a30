import type { Pool } from "pg";
import { DEFAULT_LEDGER_TABLE, ledgerDdl } from "./batch-ledger.js";

export interface SeedOptions {
  /** How many customers (records) to create. */
  records: number;
  /** Record ids are `${idPrefix}${n}`, n from `firstId` (zero-padded with `padIds`). */
  idPrefix?: string;
  /**
   * Pad n with zeros to at least 6 digits, the producer's format (`customer-000001`), so the
   * ids it requests are the ones seeded; the seed command always does.
   */
  padIds?: boolean;
  /**
   * Customers belong to this many tenants, `tenant-1`..`tenant-N`, round robin by sequence
   * number (customer n to tenant ((n - 1) mod N) + 1); 0 or absent: no tenant.
   */
  tenants?: number;
  /** These ids instead (records is then ids.length): the demo seeds the ids it will request. */
  ids?: readonly string[];
  firstId?: number;
  /** Orders per customer, drawn uniformly from [min, max]. */
  orders?: { min: number; max: number };
  /** Lines per order, drawn uniformly from [min, max]. */
  lines?: { min: number; max: number };
  /** Customers inserted per transaction; default 1,000. */
  chunk?: number;
  /** Makes the random counts repeatable (PostgreSQL's setseed, -1 to 1 from this integer). */
  seed?: number;
  /** Drop the demo tables first. */
  reset?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  customers: number;
  orders: number;
  orderLines: number;
  /** Customers asked for. */
  total: number;
}

/**
 * The demo schema: customers, their orders and the orders' lines. Every child row carries the
 * customer id with an index on it, which is what lets a batch find a record's rows without a
 * scan; order_lines also references orders, so deleting in the wrong order fails loudly.
 */
export const DEMO_SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
ALTER TABLE customers ADD COLUMN IF NOT EXISTS tenant_id text;
CREATE INDEX IF NOT EXISTS customers_tenant_id_idx ON customers (tenant_id, id);
CREATE TABLE IF NOT EXISTS orders (
  id bigserial PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (id),
  placed_at timestamptz NOT NULL DEFAULT now(),
  total_cents bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
CREATE TABLE IF NOT EXISTS order_lines (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  customer_id text NOT NULL,
  sku text NOT NULL,
  quantity int NOT NULL
);
CREATE INDEX IF NOT EXISTS order_lines_customer_id_idx ON order_lines (customer_id);
CREATE INDEX IF NOT EXISTS order_lines_order_id_idx ON order_lines (order_id);
`;

const DROP_SCHEMA = `DROP TABLE IF EXISTS order_lines, orders, customers, ${DEFAULT_LEDGER_TABLE}`;

/** The demo tables and the store's batch ledger beside them. */
export async function createDemoSchema(pool: Pool, reset = false): Promise<void> {
  if (reset) await pool.query(DROP_SCHEMA);
  await pool.query(DEMO_SCHEMA);
  await pool.query(ledgerDdl(DEFAULT_LEDGER_TABLE));
}

/**
 * Creates the demo tables (if missing) and `records` customers, each with a random number of
 * orders and lines. Each chunk is one transaction, so an interrupted run leaves whole customers;
 * ids that already exist are skipped with their rows, so a run can be repeated.
 */
export async function seedDemoData(pool: Pool, options: SeedOptions): Promise<SeedProgress> {
  const orders = options.orders ?? { min: 1, max: 5 };
  const lines = options.lines ?? { min: 1, max: 10 };
  checkRange("orders", orders);
  checkRange("lines", lines);
  const chunk = options.chunk ?? 1_000;
  const prefix = options.idPrefix ?? "customer-";
  const first = options.firstId ?? 1;
  await createDemoSchema(pool, options.reset);
  const records = options.ids?.length ?? options.records;
  const digits = options.padIds
    ? Math.max(MIN_ID_DIGITS, String(first + Math.max(records, 1) - 1).length)
    : 0;
  const progress: SeedProgress = { customers: 0, orders: 0, orderLines: 0, total: records };
  const client = await pool.connect();
  try {
    if (options.seed !== undefined) {
      await client.query("SELECT setseed($1)", [Math.sin(options.seed)]);
    }
    for (let start = 0; start < records; start += chunk) {
      const ids =
        options.ids?.slice(start, start + chunk) ??
        Array.from({ length: Math.min(chunk, options.records - start) }, (_, i) =>
          sequentialId(prefix, first + start + i, digits),
        );
      const tenantOf = ids.map((_, i) => tenantFor(first + start + i, options.tenants));
      await client.query("BEGIN");
      try {
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO customers (id, name, tenant_id)
           SELECT c.id, 'Customer ' || c.id, c.tenant FROM unnest($1::text[], $2::text[]) AS c(id, tenant)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [ids, tenantOf],
        );
        const fresh = inserted.rows.map((r) => r.id);
        // random() per row: the series bound mentions the outer row, so it is evaluated per row.
        const o = await client.query(
          `INSERT INTO orders (customer_id, total_cents)
           SELECT c.id, (random() * 100000)::bigint
             FROM unnest($1::text[]) AS c(id),
                  LATERAL generate_series(1, $2::int + floor(random() * ($3::int - $2::int + 1) + 0 * length(c.id))::int)`,
          [fresh, orders.min, orders.max],
        );
        const l = await client.query(
          `INSERT INTO order_lines (order_id, customer_id, sku, quantity)
           SELECT o.id, o.customer_id, 'sku-' || g, 1 + (random() * 4)::int
             FROM orders o,
                  LATERAL generate_series(1, $2::int + floor(random() * ($3::int - $2::int + 1) + 0 * o.id)::int) AS g
            WHERE o.customer_id = ANY($1::text[])`,
          [fresh, lines.min, lines.max],
        );
        await client.query("COMMIT");
        progress.customers += fresh.length;
        progress.orders += o.rowCount ?? 0;
        progress.orderLines += l.rowCount ?? 0;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
      options.onProgress?.({ ...progress });
    }
  } finally {
    client.release();
  }
  return progress;
}

/** Ids are padded to at least this many digits, as the producer pads them. */
const MIN_ID_DIGITS = 6;

/** `customer-000042`: the producer's id format, so seeded ids and requested ids are the same. */
export function sequentialId(prefix: string, sequence: number, digits: number): string {
  return `${prefix}${String(sequence).padStart(digits, "0")}`;
}

/** The tenant of customer n (from 1) among `tenants`; null without tenants. */
export function tenantFor(sequence: number, tenants: number | undefined): string | null {
  if (!tenants || tenants < 1) return null;
  return `tenant-${((sequence - 1) % tenants) + 1}`;
}

function checkRange(name: string, range: { min: number; max: number }): void {
  if (
    !Number.isInteger(range.min) ||
    !Number.isInteger(range.max) ||
    range.min < 0 ||
    range.max < range.min
  ) {
    throw new RangeError(`${name} must be whole numbers with 0 ≤ min ≤ max, got ${range.min}-${range.max}`);
  }
}
