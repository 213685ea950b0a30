import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOG_EVENTS } from "@deletion/contracts";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import { createResonateAuth, scrapeResonateRequests, startResonateServer } from "@deletion/test-kit";
import { afterAll, afterEach, describe, expect, inject, it, vi } from "vitest";
import { SERVER_MARK } from "../fixtures/modes.js";
import {
  createPipeline,
  httpPort,
  type Pipeline,
  produceInOrder,
  readCompletions,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { type AppRun, type RunningApp, readTopic, runApp, stopAllApps } from "../support/index.js";

/*
 * The Resonate server started with a public key made for this run: every request needs a token
 * signed by its private key, and a token reaches only the promise ids under its prefix. Payloads
 * are encrypted with a key made for this run. Nothing here may print either secret.
 */

afterEach(stopAllApps);

const auth = createResonateAuth();
async function ownServer(): Promise<{ server?: ResonateServer; unavailable: string }> {
  try {
    return { server: await startResonateServer({ controllable: true, auth }), unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    return {
      unavailable: `skipped: no Resonate server this test can start with a public key: ${err.message}`,
    };
  }
}
const { server, unavailable } = await ownServer();
const secrets = await mkdtemp(join(tmpdir(), "resonate-security-"));
afterAll(async () => {
  await server?.dispose();
  await rm(secrets, { recursive: true, force: true });
});

const named = (name: string) => `${name} ${SERVER_MARK}${unavailable ? ` (${unavailable})` : ""}`;
const serverTest = it.skipIf(!server);

const PREFIX = "deletion";
const tokens = {
  scoped: auth.sign({ prefix: `${PREFIX}/`, role: "worker" }),
  otherPrefix: auth.sign({ prefix: "billing/" }),
  expired: auth.sign({ prefix: `${PREFIX}/`, expiresInS: -3_600 }),
};
const keys = {
  current: `k2:${randomBytes(32).toString("base64")}`,
  old: `k1:${randomBytes(32).toString("base64")}`,
};
/** A key cut short: not a valid key, but its text is as secret as the key it came from. */
const truncatedKey = keys.current.slice(0, 24);
/** Every secret value of this run, and the parts of each that identify it on their own. */
const secretValues = [
  ...Object.values(tokens).flatMap((t) => [t, t.split(".")[2] as string]),
  ...Object.values(keys).flatMap((k) => [k, k.slice(3)]),
  truncatedKey.slice(3),
];

async function secretFile(name: string, content: string): Promise<string> {
  const path = join(secrets, name);
  await writeFile(path, `${content}\n`, { mode: 0o600 });
  return path;
}

/** The worker's settings for this server, a scoped token and encrypted payloads. */
async function securedEnv(overrides: Record<string, string | undefined> = {}) {
  return {
    RESONATE_TOKEN_FILE: await secretFile(`token-${randomUUID()}`, tokens.scoped),
    RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
    RESONATE_ENCRYPTION_KEY_FILE: await secretFile(`key-${randomUUID()}`, keys.current),
    RESONATE_ENCRYPTION_OLD_KEYS: keys.old,
    RESONATE_PROMISE_PREFIX: PREFIX,
    SIM_TRANSIENT_ERROR_RATE: "0",
    BATCH_SLEEP_MS: "20",
    ...overrides,
  };
}

/** Every app output of this file, for the check that no secret is in any of it. */
const captured: { what: string; text: () => string }[] = [];
function keep(what: string, app: RunningApp): RunningApp {
  captured.push({ what, text: () => app.stdout() + app.stderr() });
  return app;
}
function keepRun(what: string, run: AppRun): AppRun {
  captured.push({ what, text: () => run.stdout + run.stderr });
  return run;
}

/** One protocol request to the server, raw (no SDK), with `token` if given. */
async function call(kind: string, data: Record<string, unknown>, token?: string) {
  const response = await fetch(server?.url ?? "", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kind,
      head: { corrId: randomUUID(), version: "2026-04-01", ...(token ? { auth: token } : {}) },
      data,
    }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown } };
}

interface RawPromise {
  id: string;
  state: string;
  param: { data?: string };
  value: { data?: string };
  tags: Record<string, string>;
}
const getRaw = async (id: string) => {
  const answer = await call("promise.get", { id }, tokens.scoped);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body.data as { promise: RawPromise }).promise;
};

/**
 * Whether stored data shows the record id or the request's offset: as stored, or after base64
 * decoding of it or of any of its ':'-separated parts (the SDK stores base64 of JSON).
 */
function exposes(data: string | undefined, recordId: string, offset: string): boolean {
  if (!data) return false;
  const readings = [
    data,
    ...[data, ...data.split(":")].map((p) => Buffer.from(p, "base64").toString("latin1")),
  ];
  return readings.some((r) => r.includes(recordId) || r.includes(`"offset":"${offset}"`));
}

async function readyz(worker: RunningApp) {
  const res = await fetch(`http://127.0.0.1:${await httpPort(worker)}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const work = new Set<string>([
  LOG_EVENTS.dispatched,
  LOG_EVENTS.batchDeleted,
  LOG_EVENTS.batchFailed,
  LOG_EVENTS.completed,
  LOG_EVENTS.deadLettered,
]);

describe("Resonate server with auth, and encrypted promise payloads", () => {
  let finished: { pipeline: Pipeline; ids: string[]; offsets: Map<string, string> } | undefined;

  serverTest(
    named("a scoped token and encrypted payloads: every record completes, and status reads them back"),
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      // Batches per record; 52 takes a second segment, a workflow of its own that the server
      // hands to the group over the poll stream, which needs the token too.
      const batches = [1, 2, 3, 52];
      const ids = batches.map((n) => pipeline.id(`secure-${n}`));
      const worker = keep(
        "worker (scoped token, encrypted)",
        await startWorker(
          pipeline,
          await securedEnv({
            SIM_FIXED_BATCHES: ids.map((id, i) => `${id}=${batches[i]}`).join(","),
            STATUS_TOKEN: "security-status-token-0123456789abcdef",
          }),
          { resonateUrl: server.url },
        ),
      );
      const produced = await produceInOrder(
        brokers,
        pipeline.input,
        ids.map((id) => ({ key: id, value: requestJson(id) })),
      );
      const completions = await readCompletionsOf(pipeline, ids);
      expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set(ids));
      expect(ids.map((id) => completions.find((c) => c.recordId === id)?.batches)).toEqual(batches);
      expect(await readTopic(brokers, pipeline.deadLetters)).toHaveLength(0);
      expect((await readyz(worker)).status).toBe(200);
      expect(worker.logs.filter((l) => l.event === LOG_EVENTS.resonateRefused)).toEqual([]);
      // Its start-up line says what the token allows and how payloads are written, not the secrets.
      expect(worker.logs.find((l) => l.event === LOG_EVENTS.resonateToken)).toMatchObject({
        prefix: `${PREFIX}/`,
        expiresAt: expect.any(String),
      });
      expect(worker.logs.find((l) => l.event === LOG_EVENTS.payloadEncryption)).toMatchObject({
        mode: "aes-256-gcm",
        keyId: "k2",
        readableKeyIds: ["k2", "k1"],
      });

      const first = ids[0] as string;
      // The worker's /status and the status command (token and key from the environment) read it.
      const port = await httpPort(worker);
      const over = await fetch(`http://127.0.0.1:${port}/status/${first}`, {
        headers: { authorization: "Bearer security-status-token-0123456789abcdef" },
      });
      expect(await over.json()).toMatchObject({ state: "done", source: { offset: produced[0]?.offset } });
      const status = keepRun(
        "status (token, key)",
        await runApp("status", [first], {
          RESONATE_URL: server.url,
          RESONATE_TOKEN: tokens.scoped,
          RESONATE_ENCRYPTION_KEY: keys.current,
          RESONATE_ENCRYPTION_OLD_KEYS: keys.old,
        }),
      );
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`${first}: done`);
      expect(status.stdout).toContain(`offset ${produced[0]?.offset}`);
      // Listing searches, which the server refuses to any token scoped to a prefix.
      const list = keepRun(
        "status --list (scoped token)",
        await runApp("status", ["--list", "--state", "failed"], {
          RESONATE_URL: server.url,
          RESONATE_TOKEN: tokens.scoped,
        }),
      );
      expect(list.code).toBe(1);
      expect(list.stderr).toMatch(
        /promise\.search with 403.*needs a token with an empty prefix or the admin role/,
      );

      finished = {
        pipeline,
        ids,
        offsets: new Map(produced.map((p) => [p.key as string, p.offset])),
      };
    },
  );

  serverTest(
    named("read back raw, an encrypted promise shows neither the record id nor the offset in param or value"),
    async () => {
      if (!server || !finished) throw new Error("needs the end-to-end test's records");
      for (const id of finished.ids) {
        const offset = finished.offsets.get(id) as string;
        const promise = await getRaw(`${PREFIX}/${id}`);
        expect(promise.state).toBe("resolved");
        expect(promise.param.data).toMatch(/^aes-256-gcm\+id:k2:/);
        expect(promise.value.data).toMatch(/^aes-256-gcm\+id:k2:/);
        expect(exposes(promise.param.data, id, offset), `param of ${id}`).toBe(false);
        expect(exposes(promise.value.data, id, offset), `value of ${id}`).toBe(false);
      }
    },
  );

  serverTest(
    named("the same read with encryption off does show them (the check above can fail)"),
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const id = pipeline.id("plain");
      keep(
        "worker (scoped token, plain payloads)",
        await startWorker(pipeline, await securedEnv({ RESONATE_PAYLOAD_ENCRYPTION: "none" }), {
          resonateUrl: server.url,
        }),
      );
      const [produced] = await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await readCompletions(pipeline, 1);
      const promise = await getRaw(`${PREFIX}/${id}`);
      expect(exposes(promise.param.data, id, produced?.offset as string)).toBe(true);
      expect(exposes(promise.value.data, id, produced?.offset as string)).toBe(true);
    },
  );

  serverTest(
    named("a token for another prefix can neither read nor settle nor claim this project's promises"),
    async () => {
      if (!server || !finished) throw new Error("needs the end-to-end test's records");
      const id = `${PREFIX}/${finished.ids[0]}`;
      const other = tokens.otherPrefix;
      const statuses = {
        get: (await call("promise.get", { id }, other)).status,
        settle: (
          await call("promise.settle", { id, state: "rejected", value: { headers: {}, data: "" } }, other)
        ).status,
        create: (
          await call(
            "promise.create",
            { id: `${PREFIX}/${randomUUID()}`, timeoutAt: Date.now() + 60_000, param: {}, tags: {} },
            other,
          )
        ).status,
        listen: (await call("promise.register_listener", { awaited: id, address: "poll://uni@x/y" }, other))
          .status,
        search: (await call("promise.search", { limit: 10 }, other)).status,
        // The same request with this project's token, so the refusals above are the token's doing.
        getWithScoped: (await call("promise.get", { id }, tokens.scoped)).status,
      };
      expect(statuses).toEqual({
        get: 403,
        settle: 403,
        create: 403,
        listen: 403,
        search: 403,
        getWithScoped: 200,
      });
      expect((await getRaw(id)).state).toBe("resolved");
    },
  );

  serverTest(
    named(
      "no token, another prefix's token, an expired token: no work starts, /readyz 503 naming the cause, then a good token finishes it",
    ),
    async () => {
      if (!server) return;
      const brokers = inject("kafkaBrokers");
      const cases = [
        { name: "no token", token: undefined, status: 401, cause: "no token was sent" },
        {
          name: "another prefix",
          token: tokens.otherPrefix,
          status: 403,
          cause: `the token's prefix "billing/" does not cover ${PREFIX}/`,
        },
        { name: "expired", token: tokens.expired, status: 401, cause: "the token expired at" },
      ];
      const runs = await Promise.all(
        cases.map(async (c) => {
          const pipeline = await createPipeline(brokers, 1);
          const id = pipeline.id(`refused-${c.name.replace(/ /g, "-")}`);
          const worker = keep(
            `worker (${c.name})`,
            await startWorker(
              pipeline,
              await securedEnv({
                RESONATE_TOKEN_FILE: c.token ? await secretFile(`bad-${randomUUID()}`, c.token) : undefined,
                SIM_FIXED_BATCHES: `${id}=1`,
              }),
              { resonateUrl: server.url },
            ),
          );
          await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
          return { ...c, pipeline, id, worker };
        }),
      );
      const before = await scrapeResonateRequests(server.metricsUrl as string);
      const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      await Promise.all(
        runs.map((r) =>
          r.worker.waitForLog(
            (l) =>
              l.event === LOG_EVENTS.resonateRefused &&
              l.status === r.status &&
              String(l.error).includes(r.cause),
            30_000,
          ),
        ),
      );
      // The window: until each worker has been refused four times (backing off 1 s, 2 s, 4 s), long
      // enough for a worker that ignored the refusals to have started and finished the record.
      await vi.waitFor(
        async () => {
          for (const r of runs) {
            const { resonate } = (await readyz(r.worker)).body as { resonate?: { failures?: number } };
            expect(resonate?.failures ?? 0, r.name).toBeGreaterThanOrEqual(4);
          }
        },
        { timeout: 60_000, interval: 250 },
      );
      const requests = total(await scrapeResonateRequests(server.metricsUrl as string)) - total(before);
      for (const r of runs) {
        const ready = await readyz(r.worker);
        console.log(
          `[resonate-security] ${r.name}: /readyz ${ready.status} ${JSON.stringify(ready.body.resonate)}`,
        );
        expect.soft(ready.status, r.name).toBe(503);
        expect.soft(ready.body.resonate, r.name).toMatchObject({
          state: "failing",
          url: server.url,
          status: r.status,
          error: expect.stringContaining(r.cause),
        });
        expect
          .soft(
            r.worker.logs.filter((l) => work.has(String(l.event))),
            r.name,
          )
          .toEqual([]);
        const refusal = r.worker.logs.find((l) => l.event === LOG_EVENTS.resonateRefused);
        expect.soft(refusal, r.name).toMatchObject({ level: 50, url: server.url });
        expect.soft(await readTopic(brokers, r.pipeline.output), r.name).toHaveLength(0);
        expect.soft(await readTopic(brokers, r.pipeline.deadLetters), r.name).toHaveLength(0);
        expect.soft(r.worker.child.exitCode, r.name).toBeNull();
      }
      // A refused worker backs off: three of them sent few requests over the window.
      console.log(
        `[resonate-security] requests from three workers while each was refused four times: ${requests}`,
      );
      expect(requests).toBeLessThan(60);
      // The start-up line already warned for the two tokens that could not work.
      for (const r of runs.filter((x) => x.token)) {
        expect(r.worker.logs.find((l) => l.event === LOG_EVENTS.resonateToken)).toMatchObject({ level: 40 });
      }

      // The records stayed uncommitted: a worker with a good token picks each up and finishes it.
      await Promise.all(runs.map((r) => r.worker.stop()));
      await Promise.all(
        runs.map(async (r) => {
          keep(
            `worker (good token after ${r.name})`,
            await startWorker(r.pipeline, await securedEnv({ SIM_FIXED_BATCHES: `${r.id}=1` }), {
              resonateUrl: server.url,
            }),
          );
          const completions = await readCompletions(r.pipeline, 1);
          expect(completions.map((c) => c.recordId)).toEqual([r.id]);
        }),
      );
    },
  );

  it("refuses to start without its secrets, naming the settings, and prints no secret in --help or errors", async () => {
    const url = server?.url ?? "http://127.0.0.1:9";
    const cases: { env: Record<string, string>; args?: string[]; names: RegExp }[] = [
      {
        env: { RESONATE_URL: url, RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm" },
        names: /RESONATE_ENCRYPTION_KEY.*RESONATE_ENCRYPTION_KEY_FILE/,
      },
      {
        env: {
          RESONATE_URL: url,
          RESONATE_TOKEN: tokens.scoped,
          RESONATE_TOKEN_FILE: await secretFile("both", tokens.scoped),
        },
        names: /RESONATE_TOKEN.*RESONATE_TOKEN_FILE/,
      },
      // Malformed secrets: the messages name the setting and quote none of the text.
      { env: { RESONATE_URL: url, RESONATE_ENCRYPTION_KEY: truncatedKey }, names: /RESONATE_ENCRYPTION_KEY/ },
      { env: { RESONATE_URL: url, RESONATE_TOKEN: `${tokens.scoped} trailing` }, names: /RESONATE_TOKEN/ },
      {
        env: { RESONATE_URL: url, RESONATE_TOKEN_FILE: join(secrets, "missing") },
        names: /RESONATE_TOKEN_FILE/,
      },
    ];
    for (const c of cases) {
      const run = keepRun("worker (bad secrets)", await runApp("deletor-worker", c.args ?? [], c.env));
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(c.names);
    }
    const help = keepRun(
      "worker --help",
      await runApp("deletor-worker", ["--help"], {
        RESONATE_TOKEN: tokens.scoped,
        RESONATE_ENCRYPTION_KEY: keys.current,
      }),
    );
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("RESONATE_TOKEN_FILE");
    keepRun("status --help", await runApp("status", ["--help"], { RESONATE_TOKEN: tokens.scoped }));
  });

  it("no secret value of this run appears in any app's output", () => {
    expect(captured.length).toBeGreaterThan(0);
    const leaks = captured.flatMap(({ what, text }) => {
      const out = text();
      return secretValues.filter((s) => out.includes(s)).map((s) => `${what}: ${s.slice(0, 6)}…`);
    });
    expect(leaks).toEqual([]);
  });
});
