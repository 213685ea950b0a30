import type { Postgres } from "@deletion/local-stack";
import { UnknownSelectorError } from "@deletion/record-store";
import { startPostgres } from "@deletion/test-kit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_TABLES,
  openBulkSelection,
  type PostgresBulkSelection,
  SelectorListSchema,
  seedDemoData,
  TableListSchema,
} from "../src/index.js";
import { isolatedPool } from "./helpers.js";

const tables = TableListSchema.parse(DEMO_TABLES);
const tenant = (name: string) => ({
  kind: "selector" as const,
  selector: "tenant",
  params: { tenant: name },
});

let server: Postgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

let db: Awaited<ReturnType<typeof isolatedPool>>;
beforeEach(async () => {
  db = await isolatedPool(server.url);
  // 10 customers over 3 tenants: tenant-1 holds customer 1, 4, 7 and 10.
  await seedDemoData(db.pool, { records: 10, tenants: 3, padIds: true, orders: { min: 1, max: 1 }, seed: 3 });
});
afterEach(() => db.drop());

async function open(): Promise<PostgresBulkSelection> {
  const opened = await openBulkSelection({
    pool: db.pool,
    tables,
    selectors: SelectorListSchema.parse("tenant=customers.tenant_id"),
  });
  if (!opened.ok) throw new Error(opened.problem.message);
  return opened.selection;
}

const flagged = async () =>
  (
    await db.pool.query<{ id: string }>("SELECT id FROM customers WHERE deleted_at IS NOT NULL ORDER BY id")
  ).rows.map((r) => r.id);

describe("PostgresBulkSelection", () => {
  it("soft deletes a tenant in keyset batches, and nobody else", async () => {
    const store = await open();
    const first = await store.softDeleteBatch(tenant("tenant-1"), null, 3);
    expect(first).toEqual({ matched: 3, marked: 3, last: "customer-000007" });
    const second = await store.softDeleteBatch(tenant("tenant-1"), first.last, 3);
    expect(second).toEqual({ matched: 1, marked: 1, last: null });
    expect(await flagged()).toEqual([
      "customer-000001",
      "customer-000004",
      "customer-000007",
      "customer-000010",
    ]);
    // Run again (a replay): matched again, flagged once.
    expect(await store.softDeleteBatch(tenant("tenant-1"), null, 10)).toEqual({
      matched: 4,
      marked: 0,
      last: null,
    });
  });

  it("pages the selection's ids and restores the rest after a point", async () => {
    const store = await open();
    await store.softDeleteBatch(tenant("tenant-2"), null, 10);
    expect(await store.pageIds(tenant("tenant-2"), null, 2)).toEqual({
      ids: ["customer-000002", "customer-000005"],
      last: "customer-000005",
    });
    expect(await store.rest(tenant("tenant-2"), "customer-000005", true)).toEqual({
      notRequested: 1,
      restored: 1,
    });
    expect(await flagged()).toEqual(["customer-000002", "customer-000005"]);
    expect(await store.pageIds({ kind: "ids", ids: ["customer-000003", "nobody"] }, null, 5)).toEqual({
      ids: ["customer-000003"],
      last: null,
    });
  });

  it("takes a selector value as a parameter only, and refuses selectors not configured", async () => {
    const store = await open();
    const hostile = tenant("x' OR '1'='1");
    expect(await store.softDeleteBatch(hostile, null, 10)).toEqual({ matched: 0, marked: 0, last: null });
    expect(await flagged()).toEqual([]);
    await expect(
      store.pageIds({ kind: "selector", selector: "region", params: { region: "eu" } }, null, 5),
    ).rejects.toBeInstanceOf(UnknownSelectorError);
  });

  it("refuses a selector column the parent table does not have", async () => {
    const opened = await openBulkSelection({
      pool: db.pool,
      tables,
      selectors: SelectorListSchema.parse("tenant=customers.tenant"),
    });
    expect(opened).toMatchObject({
      ok: false,
      problem: { code: "missing_column", target: "tenant=customers.tenant" },
    });
    const child = await openBulkSelection({
      pool: db.pool,
      tables,
      selectors: SelectorListSchema.parse("tenant=orders.customer_id"),
    });
    expect(child).toMatchObject({
      ok: false,
      problem: { message: expect.stringContaining("parent table customers") },
    });
  });
});

describe("SelectorListSchema", () => {
  it("parses name=table.column lists and names a bad entry", () => {
    expect(SelectorListSchema.parse("tenant=customers.tenant_id, region=customers.region")).toEqual([
      { name: "tenant", table: "customers", column: "tenant_id" },
      { name: "region", table: "customers", column: "region" },
    ]);
    expect(SelectorListSchema.safeParse("tenant=customers.tenant_id;drop").error?.issues[0]?.message).toMatch(
      /"tenant=customers.tenant_id;drop" is not name=table.column/,
    );
  });
});
