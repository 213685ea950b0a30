import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningHttpServer, startHttpServer } from "../src/http-server.js";
import { WorkerMetrics } from "../src/metrics.js";

const TOKEN = "status-token-0123456789abcdefghijklmnop";
const RECORD = "customer-4711";
const BULK = "delete-tenant-3";

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A worker HTTP server whose readiness carries a Resonate error naming a promise id. */
async function serve(options: { statusToken?: string } = {}) {
  const asked: string[] = [];
  const metrics = new WorkerMetrics({ processMetrics: false });
  metrics.deadLettered.labels("KEY_MISMATCH").inc();
  const server = await startHttpServer(0, {
    readiness: () => ({
      ready: false,
      resonate: {
        state: "failing",
        error: `403 on promise.create: prefix billing/ does not cover deletion/${RECORD}/attempt-2`,
        failedIds: [`deletion/${RECORD}`],
      },
    }),
    registry: metrics.registry,
    status: async (recordId) => {
      asked.push(recordId);
      return { httpStatus: 200, body: { recordId, state: "done", rowsDeleted: 3 } };
    },
    bulkStatus: async (bulkId) => {
      asked.push(`bulk:${bulkId}`);
      return bulkId === BULK
        ? { httpStatus: 200, body: { bulkId, state: "completed", matched: 150, done: 150 } }
        : { httpStatus: 404, body: { bulkId, state: "unknown" } };
    },
    promisePrefix: "deletion",
    ...options,
  });
  servers.push(server);
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, { headers });
  return { asked, get };
}

describe("worker HTTP: /status needs the bearer token", () => {
  it("answers /status/<id> with the configured token", async () => {
    const { asked, get } = await serve({ statusToken: TOKEN });
    const response = await get(`/status/${RECORD}`, { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recordId: RECORD, state: "done", rowsDeleted: 3 });
    expect(asked).toEqual([RECORD]);
  });

  it.each([
    ["no Authorization header", {}],
    ["another token", { authorization: `Bearer ${TOKEN}x` }],
    ["a prefix of the token", { authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
    ["the token as basic auth", { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }],
    ["the token without the scheme", { authorization: TOKEN }],
  ])("refuses %s with 401, without looking the record up", async (_what, headers) => {
    const { asked, get } = await serve({ statusToken: TOKEN });
    const response = await get(`/status/${RECORD}`, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await response.text()).not.toContain(RECORD);
    expect(asked).toEqual([]);
  });

  it("answers /status/bulk/<bulkId> with the token, the same way; a record's status stays where it was", async () => {
    const { asked, get } = await serve({ statusToken: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const response = await get(`/status/bulk/${BULK}`, auth);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bulkId: BULK, state: "completed", matched: 150, done: 150 });
    expect((await get("/status/bulk/other", auth)).status).toBe(404);
    expect((await get("/status/bulk/%E0%A4%A", auth)).status).toBe(400);
    expect((await get(`/status/${RECORD}`, auth)).status).toBe(200);
    const anonymous = await get(`/status/bulk/${BULK}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(BULK);
    expect(asked).toEqual([`bulk:${BULK}`, "bulk:other", RECORD]);
  });

  it("is off (404) when no token is configured", async () => {
    const { asked, get } = await serve();
    const response = await get(`/status/${RECORD}`, { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(404);
    expect(asked).toEqual([]);
  });
});

describe("worker HTTP: the open endpoints name no record", () => {
  it("keeps /healthz, /readyz and /metrics open, with no record id in them", async () => {
    const { get } = await serve({ statusToken: TOKEN });
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const response = await get(path);
      expect([200, 503], path).toContain(response.status);
      const text = await response.text();
      expect(text.length, path).toBeGreaterThan(0);
      expect(text, path).not.toContain(RECORD);
    }
    const ready = (await (await get("/readyz")).json()) as {
      resonate: { error: string; failedIds: string[] };
    };
    expect(ready.resonate.error).toBe("403 on promise.create: prefix billing/ does not cover deletion/…");
    expect(ready.resonate.failedIds).toEqual(["deletion/…"]);
  });

  it("serves the metrics of its registry", async () => {
    const registry = new Registry();
    const server = await startHttpServer(0, { readiness: () => ({ ready: true }), registry });
    servers.push(server);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(200);
  });
});
