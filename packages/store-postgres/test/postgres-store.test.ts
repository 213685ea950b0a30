import type { Postgres } from "@deletion/local-stack";
import { PermanentDeletionError, TransientDeletionError } from "@deletion/record-store";
import { startPostgres } from "@deletion/test-kit";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createPool,
  DEMO_TABLES,
  openPostgresStore,
  type PostgresRecordStore,
  seedDemoData,
  TableListSchema,
} from "../src/index.js";
import { countOthers, countRows, isolatedPool } from "./helpers.js";

const tables = TableListSchema.parse(DEMO_TABLES);
const context = (batch: number) => ({ batch, attempt: 1, deletionAttempt: 1 });

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

let db: Awaited<ReturnType<typeof isolatedPool>>;
beforeEach(async () => {
  db = await isolatedPool(server.url);
  // 5 customers, 3-4 orders of 5-8 lines each: 15-32 lines per customer.
  await seedDemoData(db.pool, { records: 5, orders: { min: 3, max: 4 }, lines: { min: 5, max: 8 }, seed: 7 });
});
afterEach(() => db.drop());

async function open(pool: pg.Pool, batchSize: number): Promise<PostgresRecordStore> {
  const opened = await openPostgresStore({ pool, tables, batchSize });
  if (!opened.ok) throw new Error(opened.problem.message);
  expect(opened.warnings).toEqual([]);
  return opened.store;
}

async function deleteAll(store: PostgresRecordStore, recordId: string, sizes: number[]): Promise<void> {
  for (let batch = 1; ; batch++) {
    const result = await store.deleteBatch(recordId, context(batch));
    sizes.push(result.rowsDeleted);
    if (!result.rowsRemain) return;
  }
}

describe("PostgresRecordStore", () => {
  it("deletes in batches of at most the batch size, children first, and only the record's rows", async () => {
    const store = await open(db.pool, 7);
    const before = await countRows(db.pool, "customer-3");
    const others = await countOthers(db.pool, "customer-3");
    const total = before.customers + before.orders + before.order_lines;
    expect(before.customers).toBe(1);
    expect(before.order_lines).toBeGreaterThan(7);

    const sizes: number[] = [];
    await deleteAll(store, "customer-3", sizes);

    for (const size of sizes) expect(size).toBeLessThanOrEqual(7);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
    expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(total / 7));
    expect(await countRows(db.pool, "customer-3")).toEqual({ customers: 0, orders: 0, order_lines: 0 });
    expect(await countOthers(db.pool, "customer-3")).toEqual(others);
  });

  it("shows the soft-delete flag before the first batch, with every row still there", async () => {
    const store = await open(db.pool, 10);
    const before = await countRows(db.pool, "customer-2");
    expect(await store.markDeleted("customer-2")).toEqual({ rowsMarked: 1 });

    // What another reader sees: a separate connection, right after the one statement.
    const reader = createPool({ connectionString: server.url });
    try {
      const seen = await reader.query<{ deleted_at: Date | null }>(
        `SELECT deleted_at FROM ${db.schema}.customers WHERE id = $1`,
        ["customer-2"],
      );
      expect(seen.rows[0]?.deleted_at).toBeInstanceOf(Date);
      const live = await reader.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${db.schema}.customers WHERE deleted_at IS NULL`,
      );
      expect(Number(live.rows[0]?.n)).toBe(4);
    } finally {
      await reader.end();
    }
    expect(await countRows(db.pool, "customer-2")).toEqual(before);
    const status = await store.inspect("customer-2");
    expect(status.deletedAt).not.toBeNull();
    expect(status.remaining.map((r) => r.rows)).toEqual([before.order_lines, before.orders, 1]);

    // Marking again (a replay) changes nothing; the flag keeps its first time.
    expect(await store.markDeleted("customer-2")).toEqual({ rowsMarked: 0 });
    expect((await store.inspect("customer-2")).deletedAt).toBe(status.deletedAt);
  });

  it("completes with zero rows for a record that does not exist or is already gone", async () => {
    const store = await open(db.pool, 50);
    expect(await store.markDeleted("nobody")).toEqual({ rowsMarked: 0 });
    expect(await store.deleteBatch("nobody", context(1))).toMatchObject({
      rowsDeleted: 0,
      rowsRemain: false,
    });

    await deleteAll(store, "customer-1", []);
    expect(await store.markDeleted("customer-1")).toEqual({ rowsMarked: 0 });
    // A later deletion attempt (a new request after this one) finds nothing left.
    const again = { batch: 1, attempt: 1, deletionAttempt: 2 };
    expect(await store.deleteBatch("customer-1", again)).toMatchObject({ rowsDeleted: 0, rowsRemain: false });
    expect(await store.inspect("customer-1")).toMatchObject({
      deletedAt: null,
      parentPresent: false,
      remaining: [{ rows: 0 }, { rows: 0 }, { rows: 0 }],
    });
  });

  it("lets two runs of one deletion go at once: no error, each batch deleted once and reported alike", async () => {
    const store = await open(db.pool, 3);
    const before = await countRows(db.pool, "customer-4");
    const others = await countOthers(db.pool, "customer-4");
    const a: number[] = [];
    const b: number[] = [];
    await Promise.all([deleteAll(store, "customer-4", a), deleteAll(store, "customer-4", b)]);
    expect(a).toEqual(b);
    expect(a.reduce((x, y) => x + y, 0)).toBe(before.customers + before.orders + before.order_lines);
    for (const size of a) expect(size).toBeLessThanOrEqual(3);
    expect(await countRows(db.pool, "customer-4")).toEqual({ customers: 0, orders: 0, order_lines: 0 });
    expect(await countOthers(db.pool, "customer-4")).toEqual(others);
  });

  it("answers a batch run again (its checkpoint lost) from the ledger: same result, nothing more deleted", async () => {
    const store = await open(db.pool, 5);
    const first = await store.deleteBatch("customer-2", { batch: 1, attempt: 3, deletionAttempt: 1 });
    const left = await countRows(db.pool, "customer-2");
    const again = await store.deleteBatch("customer-2", { batch: 1, attempt: 1, deletionAttempt: 1 });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ rowsDeleted: 5, rowsRemain: true, recorded: { attempt: 3 } });
    expect(Date.parse(String(first.recorded?.at))).not.toBeNaN();
    expect(await countRows(db.pool, "customer-2")).toEqual(left);
  });

  it("resumes after a crash between batches: a fresh store deletes what is left", async () => {
    const first = await open(db.pool, 5);
    await first.deleteBatch("customer-5", context(1));
    await first.deleteBatch("customer-5", context(2));
    const after = await open(db.pool, 5);
    await deleteAll(after, "customer-5", []);
    expect(await countRows(db.pool, "customer-5")).toEqual({ customers: 0, orders: 0, order_lines: 0 });
  });
});

describe("a connection lost in the middle of a batch", () => {
  it("counts every row exactly once: the failed batch deleted nothing, its retry deletes and counts it all", async () => {
    // The connection ends (as in a database restart) when the batch reaches its second table,
    // after the first table's DELETE went through.
    await db.pool.query(`
      CREATE FUNCTION end_connection() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
      CREATE TRIGGER end_connection BEFORE DELETE ON orders
        FOR EACH STATEMENT EXECUTE FUNCTION end_connection();`);
    const store = await open(db.pool, 100);
    const before = await countRows(db.pool, "customer-4");
    const seeded = before.customers + before.orders + before.order_lines;

    const failed = await store.deleteBatch("customer-4", context(1)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TransientDeletionError);
    expect(String(failed)).toContain("from orders");
    // Rolled back: the order lines the first statement deleted are there again.
    expect(await countRows(db.pool, "customer-4")).toEqual(before);

    await db.pool.query("DROP TRIGGER end_connection ON orders");
    const sizes: number[] = [];
    await deleteAll(store, "customer-4", sizes);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(seeded);
    expect(await countRows(db.pool, "customer-4")).toEqual({ customers: 0, orders: 0, order_lines: 0 });
  });
});

describe("catalogue check", () => {
  it("names a missing batch ledger and gives the statement that creates it", async () => {
    await db.pool.query("DROP TABLE deletion_batches");
    const opened = await openPostgresStore({ pool: db.pool, tables });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.problem).toMatchObject({ code: "missing_table", target: '"deletion_batches"' });
    expect(opened.problem.message).toContain("CREATE TABLE IF NOT EXISTS");
    // Reading (the status command) does not need it.
    expect((await openPostgresStore({ pool: db.pool, tables, readOnly: true })).ok).toBe(true);
  });

  it("names a missing table", async () => {
    const opened = await openPostgresStore({
      pool: db.pool,
      tables: TableListSchema.parse("invoices:customer_id,customers:id"),
    });
    expect(opened).toMatchObject({
      ok: false,
      problem: { code: "missing_table", target: "invoices:customer_id" },
    });
  });

  it("names a missing column", async () => {
    const opened = await openPostgresStore({
      pool: db.pool,
      tables: TableListSchema.parse("orders:client_id,customers:id"),
    });
    expect(opened).toMatchObject({
      ok: false,
      problem: { code: "missing_column", target: "orders:client_id" },
    });
    if (!opened.ok) expect(opened.problem.message).toContain("client_id");
  });

  it("names a missing soft-delete column on the parent, and accepts none when soft delete is off", async () => {
    const list = TableListSchema.parse("order_lines:customer_id,orders:customer_id");
    const opened = await openPostgresStore({ pool: db.pool, tables: list });
    expect(opened).toMatchObject({
      ok: false,
      problem: { code: "missing_column", target: "orders.deleted_at" },
    });
    expect(await openPostgresStore({ pool: db.pool, tables: list, deletedAtColumn: null })).toMatchObject({
      ok: true,
    });
  });

  it("warns when the record-id column has no index", async () => {
    await db.pool.query("CREATE TABLE notes (customer_id text, body text)");
    const opened = await openPostgresStore({
      pool: db.pool,
      tables: TableListSchema.parse(`notes:customer_id,${DEMO_TABLES}`),
    });
    expect(opened.ok && opened.warnings).toEqual([
      "no index leads with notes.customer_id: every batch scans the whole table",
    ]);
  });
});

describe("errors", () => {
  it("a database that cannot be reached is transient, at start-up a problem value", async () => {
    const pool = createPool({ connectionString: "postgres://u:p@127.0.0.1:1/db", connectTimeoutMs: 2_000 });
    try {
      const opened = await openPostgresStore({ pool, tables });
      expect(opened).toMatchObject({ ok: false, problem: { code: "unreachable" } });
      const { PostgresRecordStore } = await import("../src/index.js");
      const store = new PostgresRecordStore({ pool, tables });
      await expect(store.deleteBatch("customer-1", context(1))).rejects.toBeInstanceOf(
        TransientDeletionError,
      );
    } finally {
      await pool.end();
    }
  });

  it("a permission the user lacks is permanent", async () => {
    const store = await open(db.pool, 10);
    await db.pool.query("CREATE ROLE reader_only LOGIN PASSWORD 'x'").catch(() => {});
    await db.pool.query(`GRANT USAGE ON SCHEMA ${db.schema} TO reader_only`);
    await db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${db.schema} TO reader_only`);
    const url = new URL(server.url);
    url.username = "reader_only";
    url.password = "x";
    const limited = createPool({ connectionString: url.toString() });
    try {
      const { PostgresRecordStore } = await import("../src/index.js");
      const asReader = new PostgresRecordStore({
        pool: limited,
        tables: TableListSchema.parse(`${db.schema}.order_lines:customer_id,${db.schema}.customers:id`),
      });
      await expect(asReader.deleteBatch("customer-1", context(1))).rejects.toBeInstanceOf(
        PermanentDeletionError,
      );
      const opened = await openPostgresStore({
        pool: limited,
        tables: TableListSchema.parse(`${db.schema}.orders:customer_id`),
      });
      expect(opened).toMatchObject({ ok: false, problem: { code: "no_privilege" } });
    } finally {
      await limited.end();
      await db.pool.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${db.schema} FROM reader_only`);
      await db.pool.query(`REVOKE ALL ON SCHEMA ${db.schema} FROM reader_only`);
    }
    expect(store).toBeDefined();
  });
});
