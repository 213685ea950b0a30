import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";

describe("record store configuration", () => {
  it("defaults to the simulated store, and to the demo tables for postgres", () => {
    const result = parseOptions(workerCli, [], {});
    expect(result).toMatchObject({
      kind: "ok",
      config: { store: "simulated", deleteBatchSize: 500, deletedAtColumn: "deleted_at" },
    });
    if (result.kind === "ok")
      expect(result.config.tables.map((t) => t.table)).toEqual(["order_lines", "orders", "customers"]);
  });

  it("reads the store, the database, the tables and the batch size from the environment", () => {
    const result = parseOptions(workerCli, ["--deleted-at-column", "none"], {
      RECORD_STORE: "postgres",
      DATABASE_URL: "postgres://u:p@db:5432/app",
      DELETE_TABLES: "invoices:customer_id,accounts:id",
      DELETE_BATCH_SIZE: "200",
    });
    expect(result).toMatchObject({
      kind: "ok",
      config: {
        store: "postgres",
        databaseUrl: "postgres://u:p@db:5432/app",
        tables: [
          { table: "invoices", column: "customer_id" },
          { table: "accounts", column: "id" },
        ],
        deleteBatchSize: 200,
        deletedAtColumn: null,
      },
    });
  });

  it.each([
    [["--tables", "orders"], '"orders" is not table:column'],
    [["--tables", "orders:id;drop"], "orders:id;drop"],
    [["--store", "mysql"], "--store"],
    [["--batch-size", "0"], "--batch-size"],
  ])("refuses %j naming it", (argv, text) => {
    const result = parseOptions(workerCli, argv, {});
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toContain(text);
  });
});
