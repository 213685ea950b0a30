import type { Postgres } from "@deletion/local-stack";
import { startPostgres } from "@deletion/test-kit";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  classifyPushBack,
  DEMO_TABLES,
  ensureControlTable,
  openPostgresStore,
  pacingSignals,
  replicaLagFromPrimary,
  replicaLagFromReplica,
  seedDemoData,
  setBrake,
  TableListSchema,
  toDeletionError,
} from "../src/index.js";
import { isolatedPool } from "./helpers.js";

const tables = TableListSchema.parse(DEMO_TABLES);

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

let db: Awaited<ReturnType<typeof isolatedPool>>;
beforeEach(async () => {
  db = await isolatedPool(server.url);
  await seedDemoData(db.pool, { records: 3, orders: { min: 2, max: 2 }, lines: { min: 3, max: 3 }, seed: 3 });
});
afterEach(() => db.drop());

/** Reads a signal until `done` says so; each read is a real query, so no fixed sleep is needed. */
async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("the signal never read as expected");
}

describe("the brake", () => {
  it("is created once when several workers start at the same time", async () => {
    // Six open connections first, so the six CREATEs really run side by side.
    await Promise.all(Array.from({ length: 6 }, () => db.pool.query("SELECT pg_sleep(0.05)")));
    const starts = Array.from({ length: 6 }, () => ensureControlTable(db.pool, "deletion_pacing_control"));
    await expect(Promise.all(starts)).resolves.toHaveLength(6);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM deletion_pacing_control");
    expect(rows[0]).toEqual({ n: 0 });
  });

  it("creates its table when missing, holds while paused and releases on resume", async () => {
    const [brake] = await pacingSignals({
      pool: db.pool,
      tables,
      maxReplicaLagMs: 1_500,
      autovacuum: false,
      controlTable: "deletion_pacing_control",
    });
    if (!brake) throw new Error("no brake reader");
    expect(brake.name).toBe("brake");
    expect(await brake.check()).toEqual({ level: "ok" });
    await setBrake(db.pool, "deletion_pacing_control", true, "reindexing orders");
    const held = await brake.check();
    expect(held).toMatchObject({ level: "hold" });
    expect(held.level === "hold" && held.reason).toMatch(/reindexing orders$/);
    // One UPDATE by hand, as an operator would.
    await db.pool.query("UPDATE deletion_pacing_control SET paused = false");
    expect(await brake.check()).toEqual({ level: "ok" });
  });

  it("reads no brake when told there is none, and names each signal it reads", async () => {
    const readers = await pacingSignals({
      pool: db.pool,
      tables,
      replicaLag: { from: "primary" },
      maxReplicaLagMs: 1_500,
      autovacuum: true,
      maxLockWaits: 0,
      controlTable: null,
    });
    expect(readers.map((r) => r.name)).toEqual(["replica_lag", "autovacuum", "lock_waits"]);
    const found = await db.pool.query("SELECT to_regclass('deletion_pacing_control') AS t");
    expect(found.rows[0]?.t).toBeNull();
  });
});

describe("replica lag", () => {
  it("reads no lag on a primary without replicas", async () => {
    expect(await replicaLagFromPrimary(db.pool, { maxLagMs: 1 }).check()).toEqual({ level: "ok" });
  });

  it("refuses to read a primary as if it were the replica", async () => {
    await expect(replicaLagFromReplica(db.pool, { maxLagMs: 1 }).check()).rejects.toThrow(/not a standby/);
  });
});

describe("lock waits and vacuum", () => {
  it("slows while more sessions than allowed wait for a lock on a target table", async () => {
    const [locks] = await pacingSignals({
      pool: db.pool,
      tables,
      maxReplicaLagMs: 1_500,
      autovacuum: false,
      maxLockWaits: 0,
      controlTable: null,
    });
    if (!locks) throw new Error("no lock reader");
    expect(await locks.check()).toEqual({ level: "ok" });
    const holder = await db.pool.connect();
    const waiter = await db.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      const waiting = waiter.query("SELECT count(*) FROM orders");
      const slow = await readUntil(
        () => locks.check(),
        (s) => s.level === "slow",
      );
      expect(slow.level === "slow" && slow.reason).toMatch(/^1 sessions wait for locks/);
      await holder.query("COMMIT");
      await waiting;
      expect(await locks.check()).toEqual({ level: "ok" });
    } finally {
      holder.release();
      waiter.release();
    }
  });

  it("slows while a vacuum works on a target table", async () => {
    const [vacuum] = await pacingSignals({
      pool: db.pool,
      tables,
      maxReplicaLagMs: 1_500,
      autovacuum: true,
      controlTable: null,
    });
    if (!vacuum) throw new Error("no vacuum reader");
    expect(await vacuum.check()).toEqual({ level: "ok" });
    // Dead rows and a cost delay make the vacuum slow enough to be seen under way.
    await db.pool.query(
      "INSERT INTO order_lines (order_id, customer_id, sku, quantity) SELECT o.id, o.customer_id, 'x', 1 FROM orders o, generate_series(1, 3000)",
    );
    await db.pool.query("DELETE FROM order_lines WHERE sku = 'x'");
    const vacuumer = new pg.Client({ connectionString: server.url, options: `-c search_path=${db.schema}` });
    await vacuumer.connect();
    try {
      await vacuumer.query("SET vacuum_cost_delay = 50");
      await vacuumer.query("SET vacuum_cost_limit = 1");
      // Handled from the start: it ends by being cancelled below.
      const running = vacuumer.query("VACUUM order_lines").catch(() => {});
      const slow = await readUntil(
        () => vacuum.check(),
        (s) => s.level === "slow",
      );
      expect(slow.level === "slow" && slow.reason).toMatch(/^vacuum on .*order_lines/);
      const pid = (vacuumer as unknown as { processID: number }).processID;
      await db.pool.query("SELECT pg_cancel_backend($1)", [pid]);
      await running;
    } finally {
      await vacuumer.end();
    }
  });
});

describe("push-back", () => {
  it("classifies a real lock timeout, also once the store wrapped it, and nothing else", async () => {
    const holder = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      await other.query("SET lock_timeout = '20ms'");
      const error = await other.query("DELETE FROM orders WHERE false").catch((e: unknown) => e);
      expect(classifyPushBack(error)).toBe("lock_timeout");
      expect(classifyPushBack(toDeletionError(error, "deleting a batch"))).toBe("lock_timeout");
      await holder.query("COMMIT");
      const missing = await other.query("SELECT * FROM no_such_table").catch((e: unknown) => e);
      expect(classifyPushBack(missing)).toBeUndefined();
      expect(classifyPushBack(Object.assign(new Error("x"), { code: "57014" }))).toBe("statement_timeout");
      expect(classifyPushBack(Object.assign(new Error("x"), { code: "40001" }))).toBe("serialization");
    } finally {
      holder.release();
      other.release();
    }
  });

  it("deletes at most the batch's limit when pacing sets one", async () => {
    const opened = await openPostgresStore({ pool: db.pool, tables, batchSize: 500 });
    if (!opened.ok) throw new Error(opened.problem.message);
    const id = (await db.pool.query<{ id: string }>("SELECT id FROM customers ORDER BY id LIMIT 1")).rows[0]
      ?.id;
    if (!id) throw new Error("no customer");
    const first = await opened.store.deleteBatch(id, { batch: 1, attempt: 1, deletionAttempt: 1, limit: 2 });
    expect(first).toMatchObject({ rowsDeleted: 2, rowsRemain: true });
  });
});
