import { type Postgres, startEmbeddedPostgres } from "@deletion/local-stack";
import { createPool, describeDatabase, seedDemoData } from "@deletion/store-postgres";

export interface DemoDatabase {
  /** What the workers need to delete from it. */
  workerEnv: Record<string, string>;
  /** "order_lines 0, orders 0, customers 0" over the run's ids. */
  rowsLeft(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The database of a `--store postgres` run: the one given, or the embedded PostgreSQL binaries
 * started for the run, with the demo tables seeded for exactly the run's ids.
 */
export async function prepareDemoDatabase(
  ids: readonly string[],
  databaseUrl: string | undefined,
  say: (line: string) => void,
): Promise<DemoDatabase> {
  const server: Postgres = databaseUrl
    ? { url: databaseUrl, kind: "external", description: "the one given", stop: async () => {} }
    : await startEmbeddedPostgres("started for this run");
  say(`database: ${server.kind === "external" ? describeDatabase(server.url) : server.description}`);
  const pool = createPool({ connectionString: server.url, max: 2, applicationName: "demo" });
  try {
    const seeded = await seedDemoData(pool, {
      records: ids.length,
      ids,
      orders: { min: 1, max: 4 },
      lines: { min: 1, max: 8 },
    });
    say(`seeded ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.orderLines} order lines`);
  } catch (error) {
    await pool.end().catch(() => {});
    await server.stop();
    throw error;
  }
  return {
    workerEnv: {
      RECORD_STORE: "postgres",
      DATABASE_URL: server.url,
      DELETE_TABLES: "order_lines:customer_id,orders:customer_id,customers:id",
      // Small batches, kept small, so each record shows several on the board.
      DELETE_BATCH_SIZE: "5",
      MAX_BATCH_SIZE: "5",
    },
    rowsLeft: async () => {
      const { rows } = await pool.query<{ l: string; o: string; c: string }>(
        `SELECT (SELECT count(*) FROM order_lines WHERE customer_id = ANY($1)) AS l,
                (SELECT count(*) FROM orders WHERE customer_id = ANY($1)) AS o,
                (SELECT count(*) FROM customers WHERE id = ANY($1)) AS c`,
        [ids],
      );
      const row = rows[0];
      return `order_lines ${row?.l}, orders ${row?.o}, customers ${row?.c}`;
    },
    stop: async () => {
      await pool.end().catch(() => {});
      await server.stop();
    },
  };
}
