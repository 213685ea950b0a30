import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type Postgres, startEmbeddedPostgres } from "@deletion/local-stack";
import {
  connectPostgresStore,
  controlTableDdl,
  createPool,
  DEFAULT_CONTROL_TABLE,
  DEMO_TABLES,
  pacingSignals,
  seedDemoData,
  setBrake,
  TableListSchema,
} from "@deletion/store-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/repo-root.js";

/*
 * The secured compose variant's PostgreSQL roles (deploy/secure/postgres-init/10-roles.sql and
 * deploy/secure/worker-grants.sql), run with psql on a PostgreSQL of this test's own: each app's
 * credentials do what the app needs and are refused the rest.
 */

const psql = spawnSync("psql", ["--version"], { encoding: "utf8" });
const noPsql = psql.status === 0 ? "" : " (skipped: no psql on this machine to run the role scripts)";

const passwords = {
  POSTGRES_SEED_PASSWORD: randomBytes(16).toString("hex"),
  POSTGRES_WORKER_PASSWORD: randomBytes(16).toString("hex"),
  POSTGRES_STATUS_PASSWORD: randomBytes(16).toString("hex"),
  POSTGRES_RESONATE_PASSWORD: randomBytes(16).toString("hex"),
};

let server: Postgres | undefined;
/** postgres://<role>:<password>@host:port/<database> on the test's server. */
const urlFor = (user: string, password: string, database: string) => {
  const url = new URL(server?.url ?? "");
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
};
const superuserUrl = (database: string) => {
  const url = new URL(server?.url ?? "");
  url.pathname = `/${database}`;
  return url.toString();
};

function runPsql(file: string, database: string, env: Record<string, string>) {
  const run = spawnSync("psql", ["-X", "-q", "-d", superuserUrl(database), "-f", join(repoRoot, file)], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  expect(run.status, `${file}: ${run.stderr}`).toBe(0);
}

/** The SQLSTATE a statement fails with as `user` on `database`, or "ok". */
async function attempt(url: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(sql);
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const worker = () => urlFor("deletion_worker", passwords.POSTGRES_WORKER_PASSWORD, "deletion");
const status = () => urlFor("deletion_status", passwords.POSTGRES_STATUS_PASSWORD, "deletion");
const seed = () => urlFor("deletion_seed", passwords.POSTGRES_SEED_PASSWORD, "deletion");
const resonate = (database: string) => urlFor("resonate", passwords.POSTGRES_RESONATE_PASSWORD, database);
const INSUFFICIENT_PRIVILEGE = "42501";

describe.skipIf(noPsql !== "")(`PostgreSQL roles per app${noPsql}`, () => {
  beforeAll(async () => {
    server = await startEmbeddedPostgres(
      "the role scripts need a server of their own (roles are cluster-wide)",
    );
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query("CREATE DATABASE deletion");
    await admin.end();
    runPsql("deploy/secure/postgres-init/10-roles.sql", "deletion", passwords);
    const pool = createPool({ connectionString: seed(), max: 1 });
    await seedDemoData(pool, { records: 3, idPrefix: "customer-", padIds: false });
    await pool.end();
    runPsql("deploy/secure/worker-grants.sql", "deletion", { DELETE_TABLES: DEMO_TABLES });
  }, 120_000);
  afterAll(() => server?.stop());

  it("the worker deletes and soft-deletes through the store; it may not insert, update a child table, truncate, create or grant", async () => {
    const opened = await connectPostgresStore({
      databaseUrl: worker(),
      tables: TableListSchema.parse(DEMO_TABLES),
      maxConnections: 1,
    });
    expect(opened.ok, opened.ok ? "" : opened.problem.message).toBe(true);
    if (!opened.ok) return;
    try {
      expect(await opened.store.markDeleted("customer-1")).toEqual({ rowsMarked: 1 });
      let result = await opened.store.deleteBatch("customer-1", { batch: 1, attempt: 1, deletionAttempt: 1 });
      for (let batch = 2; result.rowsRemain; batch++) {
        result = await opened.store.deleteBatch("customer-1", { batch, attempt: 1, deletionAttempt: 1 });
      }
      expect((await opened.store.inspect("customer-1")).parentPresent).toBe(false);
    } finally {
      await opened.close();
    }
    expect(await attempt(worker(), "INSERT INTO customers (id, name) VALUES ('x', 'x')")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(
      await attempt(worker(), "UPDATE orders SET total_cents = 0 WHERE customer_id = 'customer-2'"),
    ).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt(worker(), "TRUNCATE orders")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt(worker(), "CREATE TABLE stolen (x int)")).toBe(INSUFFICIENT_PRIVILEGE);
    // Granting what it does not own passes with a warning and grants nothing.
    await attempt(worker(), "GRANT DELETE ON customers TO deletion_status");
    expect(await attempt(status(), "DELETE FROM customers WHERE id = 'customer-3'")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(
      await attempt(urlFor("deletion_worker", passwords.POSTGRES_WORKER_PASSWORD, "resonate"), "SELECT 1"),
    ).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("status reads and may change nothing", async () => {
    const opened = await connectPostgresStore({
      databaseUrl: status(),
      tables: TableListSchema.parse(DEMO_TABLES),
      readOnly: true,
      maxConnections: 1,
    });
    expect(opened.ok, opened.ok ? "" : opened.problem.message).toBe(true);
    if (opened.ok) {
      expect((await opened.store.inspect("customer-2")).parentPresent).toBe(true);
      await opened.close();
    }
    expect(await attempt(status(), "DELETE FROM order_lines WHERE customer_id = 'customer-2'")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(await attempt(status(), "UPDATE customers SET deleted_at = now() WHERE id = 'customer-2'")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(await attempt(status(), "INSERT INTO deletion_batches VALUES ('x', 1, 1, 0, false, 1)")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
  });

  it("the Resonate server has a database of its own, and reaches no other; the apps cannot reach its", async () => {
    expect(await attempt(resonate("resonate"), "CREATE TABLE promises_probe (id text)")).toBe("ok");
    expect(await attempt(resonate("deletion"), "SELECT 1")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(
      await attempt(urlFor("deletion_seed", passwords.POSTGRES_SEED_PASSWORD, "resonate"), "SELECT 1"),
    ).toBe(INSUFFICIENT_PRIVILEGE);
    expect(
      await attempt(urlFor("deletion_status", passwords.POSTGRES_STATUS_PASSWORD, "resonate"), "SELECT 1"),
    ).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("seed creates and fills tables but is no superuser", async () => {
    expect(await attempt(seed(), "CREATE TABLE seed_probe (x int)")).toBe("ok");
    expect(await attempt(seed(), "CREATE ROLE sneaky")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt(seed(), "CREATE DATABASE sneaky")).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("the pacing brake: the grants script creates its table as the store's code would; the worker reads it and may not change, drop or recreate it", async () => {
    // The same columns as the table a worker allowed to would create itself (controlTableDdl).
    const admin = new pg.Client({ connectionString: superuserUrl("deletion") });
    await admin.connect();
    try {
      await admin.query(controlTableDdl("brake_reference"));
      const columns = async (table: string) =>
        (
          await admin.query(
            `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
            [table],
          )
        ).rows;
      expect(await columns(DEFAULT_CONTROL_TABLE)).toEqual(await columns("brake_reference"));
      await admin.query("DROP TABLE brake_reference");
    } finally {
      await admin.end();
    }

    // The worker's own start-up path: finds the table (creates nothing) and reads the brake.
    const pool = createPool({ connectionString: worker(), max: 1 });
    const owner = createPool({ connectionString: superuserUrl("deletion"), max: 1 });
    try {
      const readers = await pacingSignals({
        pool,
        tables: TableListSchema.parse(DEMO_TABLES),
        maxReplicaLagMs: 10_000,
        autovacuum: false,
        controlTable: DEFAULT_CONTROL_TABLE,
      });
      const brake = readers.find((r) => r.name === "brake");
      expect(await brake?.check()).toEqual({ level: "ok" });
      // An operator, as the table's owner, pulls the brake: the worker sees the hold.
      await setBrake(owner, DEFAULT_CONTROL_TABLE, true, "maintenance");
      expect(await brake?.check()).toMatchObject({
        level: "hold",
        reason: expect.stringContaining("maintenance"),
      });
      await setBrake(owner, DEFAULT_CONTROL_TABLE, false);
      expect(await brake?.check()).toEqual({ level: "ok" });
    } finally {
      await pool.end();
      await owner.end();
    }

    for (const sql of [
      `UPDATE ${DEFAULT_CONTROL_TABLE} SET paused = true`,
      `INSERT INTO ${DEFAULT_CONTROL_TABLE} (id, paused) VALUES (true, true)`,
      `DELETE FROM ${DEFAULT_CONTROL_TABLE}`,
      `TRUNCATE ${DEFAULT_CONTROL_TABLE}`,
      `DROP TABLE ${DEFAULT_CONTROL_TABLE}`,
      `ALTER TABLE ${DEFAULT_CONTROL_TABLE} ADD COLUMN x int`,
      controlTableDdl("brake_of_its_own"),
    ])
      expect(await attempt(worker(), sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
    // Status reads no brake either: it was granted to the workers only.
    expect(await attempt(status(), `SELECT paused FROM ${DEFAULT_CONTROL_TABLE}`)).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
  });

  it("the grants script runs again without harm, and creates no brake with PACING_CONTROL_TABLE=none", async () => {
    runPsql("deploy/secure/worker-grants.sql", "deletion", { DELETE_TABLES: DEMO_TABLES });
    runPsql("deploy/secure/worker-grants.sql", "deletion", {
      DELETE_TABLES: DEMO_TABLES,
      PACING_CONTROL_TABLE: "none",
    });
    expect(await attempt(superuserUrl("deletion"), "SELECT 1 FROM none")).toBe("42P01");
  });
});
