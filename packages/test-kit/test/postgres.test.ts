import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgres } from "../src/index.js";

describe("startPostgres", () => {
  it("names DATABASE_URL as external and leaves it alone on stop", async () => {
    const url = "postgres://u:p@db.example:5432/app";
    const server = await startPostgres({ env: { DATABASE_URL: url } });
    expect(server).toMatchObject({ kind: "external", url });
    await server.stop();
  });

  it("runs the embedded binaries on a free port, answers queries, and leaves nothing behind", async () => {
    const server = await startPostgres({ env: {}, kind: "embedded" });
    expect(server.kind).toBe("embedded");
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string }>("SELECT current_setting($1) AS v", [
        "server_version",
      ]);
      expect(rows[0]?.v).toMatch(/^18\./);
      await client.query("CREATE TABLE t (id int)");
      await client.query("INSERT INTO t VALUES ($1), ($2)", [1, 2]);
      const count = await client.query<{ n: string }>("SELECT count(*) AS n FROM t");
      expect(count.rows[0]?.n).toBe("2");
    } finally {
      await client.end();
    }
    const dataDir = /data in (\S+)/.exec(server.description)?.[1];
    await server.stop();
    await server.stop();
    const after = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
    await expect(after.connect()).rejects.toThrow();
    if (dataDir) expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
