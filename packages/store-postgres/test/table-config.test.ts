import { PermanentDeletionError, TransientDeletionError } from "@deletion/record-store";
import { describe, expect, it } from "vitest";
import { isTransient, TableListSchema, toDeletionError } from "../src/index.js";

describe("TableListSchema", () => {
  it("reads children first, parent last, with optional schemas", () => {
    expect(TableListSchema.parse(" order_lines:customer_id, sales.orders:customer_id,customers:id ")).toEqual(
      [
        { table: "order_lines", column: "customer_id" },
        { schema: "sales", table: "orders", column: "customer_id" },
        { table: "customers", column: "id" },
      ],
    );
  });

  it.each([
    ["", "at least one table"],
    ["orders", '"orders" is not table:column'],
    ["orders:customer_id;drop table x", "orders:customer_id;drop table x"],
    ['"orders":id', '"\\"orders\\":id"'],
    ["orders:id,orders:id", 'table "orders" is listed twice'],
  ])("refuses %j naming the entry", (text, message) => {
    const parsed = TableListSchema.safeParse(text);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain(message.replaceAll('\\"', '"'));
  });
});

describe("error kinds", () => {
  it.each([
    ["40001", true],
    ["40P01", true],
    ["08006", true],
    ["57P01", true],
    ["57014", true],
    ["ECONNREFUSED", true],
    ["42501", false],
    ["23503", false],
    ["42P01", false],
  ])("SQLSTATE/code %s is transient: %s", (code, transient) => {
    const error = Object.assign(new Error("boom"), { code });
    expect(isTransient(error)).toBe(transient);
    expect(toDeletionError(error, "deleting")).toBeInstanceOf(
      transient ? TransientDeletionError : PermanentDeletionError,
    );
  });

  it("a dropped connection is transient", () => {
    expect(isTransient(new Error("Connection terminated unexpectedly"))).toBe(true);
  });
});
