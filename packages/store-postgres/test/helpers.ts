import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "../src/pool.js";

/** A pool whose tables live in a schema of their own, so tests never see each other's rows. */
export async function isolatedPool(
  url: string,
): Promise<{ pool: pg.Pool; schema: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool({ connectionString: url, max: 6, searchPath: schema });
  return {
    pool,
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/** Rows per demo table that hold this customer id. */
export function countRows(pool: pg.Pool, customerId: string): Promise<RowCounts> {
  return countPerTable(pool, customerId, "=");
}

/** Rows per demo table over every customer but this one. */
export function countOthers(pool: pg.Pool, customerId: string): Promise<RowCounts> {
  return countPerTable(pool, customerId, "<>");
}

async function countPerTable(pool: pg.Pool, customerId: string, op: "=" | "<>"): Promise<RowCounts> {
  const { rows } = await pool.query<{ customers: string; orders: string; order_lines: string }>(
    `SELECT (SELECT count(*) FROM customers WHERE id ${op} $1) AS customers,
            (SELECT count(*) FROM orders WHERE customer_id ${op} $1) AS orders,
            (SELECT count(*) FROM order_lines WHERE customer_id ${op} $1) AS order_lines`,
    [customerId],
  );
  const row = rows[0] as { customers: string; orders: string; order_lines: string };
  return {
    customers: Number(row.customers),
    orders: Number(row.orders),
    order_lines: Number(row.order_lines),
  };
}

export interface RowCounts {
  customers: number;
  orders: number;
  order_lines: number;
}
