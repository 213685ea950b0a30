import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { cachedResonateBinary, type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { afterAll, describe, expect, it } from "vitest";
import {
  createResonateAuth,
  parseResonateRequests,
  scrapeResonateRequests,
  startResonateServer,
} from "../src/index.js";

// The protocol request is written out here rather than through the SDK, so the check does not
// depend on the client the project uses (its version "2026-04-01" is what v0.9.8 serves).
async function call(url: string, kind: string, data: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kind,
      head: { corrId: randomUUID(), version: "2026-04-01", ...(token ? { auth: token } : {}) },
      data,
    }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown } };
}

const createPromise = (url: string, id: string) =>
  call(url, "promise.create", {
    id,
    timeoutAt: Date.now() + 3_600_000,
    param: { headers: {}, data: "" },
    tags: {},
  });
const getPromise = (url: string, id: string, token?: string) => call(url, "promise.get", { id }, token);

const binaryEnv = { ...process.env, RESONATE_URL: "" };
const haveBinary = Boolean(process.env.RESONATE_SERVER_BIN) || existsSync(cachedResonateBinary(process.env));

describe("parseResonateRequests", () => {
  it("sums resonate_request_total per kind and ignores everything else", () => {
    const text = [
      "# TYPE resonate_request_total counter",
      'resonate_request_total{kind="promise.create",status="200"} 3',
      'resonate_request_total{kind="promise.create",status="409"} 2',
      'resonate_request_total{status="200",kind="task.fence"} 7',
      'resonate_request_duration_seconds_bucket{kind="promise.create",le="0.005"} 5',
      'resonate_messages_total{kind="execute"} 4',
    ].join("\n");
    expect(parseResonateRequests(text)).toEqual(
      new Map([
        ["promise.create", 5],
        ["task.fence", 7],
      ]),
    );
  });
});

describe("startResonateServer", () => {
  it("names RESONATE_URL as external and refuses to control it", async () => {
    const server = await startResonateServer({ env: { RESONATE_URL: "http://somewhere:8001/" } });
    expect(server).toMatchObject({ kind: "external", url: "http://somewhere:8001", controllable: false });
    await expect(server.kill()).rejects.toThrow(/not controlled here/);
  });

  it("says why when there is no server to be had", async () => {
    const missing = "/nonexistent/resonate";
    const attempt = startResonateServer({ kind: "binary", env: { RESONATE_SERVER_BIN: missing } });
    await expect(attempt).rejects.toBeInstanceOf(ResonateServerUnavailable);
    await expect(attempt).rejects.toThrow(missing);
  });

  describe.skipIf(!haveBinary)(
    `the release binary${haveBinary ? "" : " (skipped: no binary; run set-up with RESONATE_SERVER_ARCHIVE)"}`,
    () => {
      let server: ResonateServer | undefined;
      afterAll(() => server?.dispose());

      it("serves, survives kill -9 and a restart on the same storage, counts requests, and leaves nothing behind", async () => {
        server = await startResonateServer({ kind: "binary", env: binaryEnv });
        expect(server).toMatchObject({ kind: "binary", controllable: true });
        const id = `test-kit/${randomUUID()}`;
        expect((await createPromise(server.url, id)).status).toBe(200);

        await server.kill();
        await expect(fetch(`${server.url}/health`)).rejects.toThrow();
        await server.start();
        const found = await getPromise(server.url, id);
        expect(found.status).toBe(200);
        expect(found.body.data).toMatchObject({ promise: { id, state: "pending" } });

        // Graceful stop and start again: same URL, same storage.
        await server.stop();
        await server.start();
        expect((await getPromise(server.url, id)).status).toBe(200);
        expect((await getPromise(server.url, `${id}-other`)).status).toBe(404);

        const counts = await scrapeResonateRequests(server.metricsUrl as string);
        // Counters live in the server process: these are the two lookups since the last start.
        expect(counts.get("promise.get")).toBe(2);

        const url = server.url;
        await server.dispose();
        await expect(fetch(`${url}/health`)).rejects.toThrow();
        await expect(server.start()).rejects.toThrow(/disposed/);
      }, 60_000);

      it("with a public key: a token signed by this run's key reaches its prefix, and nothing else does", async () => {
        const auth = createResonateAuth();
        const secured = await startResonateServer({ kind: "binary", env: binaryEnv, auth });
        try {
          const id = `test-kit/${randomUUID()}`;
          const scoped = auth.sign({ prefix: "test-kit/" });
          const statuses = {
            noToken: (await getPromise(secured.url, id)).status,
            scoped: (await getPromise(secured.url, id, scoped)).status,
            otherPrefix: (await getPromise(secured.url, id, auth.sign({ prefix: "billing/" }))).status,
            // The server allows 60 s of clock skew past exp.
            expired: (await getPromise(secured.url, id, auth.sign({ prefix: "test-kit/", expiresInS: -120 })))
              .status,
            otherKey: (await getPromise(secured.url, id, createResonateAuth().sign({ prefix: "" }))).status,
            search: (await call(secured.url, "promise.search", { limit: 1 }, scoped)).status,
            adminSearch: (
              await call(secured.url, "promise.search", { limit: 1 }, auth.sign({ role: "admin" }))
            ).status,
          };
          expect(statuses).toEqual({
            noToken: 401,
            scoped: 404,
            otherPrefix: 403,
            expired: 401,
            otherKey: 401,
            search: 403,
            adminSearch: 200,
          });
        } finally {
          await secured.dispose();
        }
      }, 60_000);
    },
  );
});
