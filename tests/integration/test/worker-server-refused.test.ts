import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { type LogLine, type RunningApp, stopAllApps } from "../support/index.js";

// A Resonate server the worker cannot work with (an unreleased build answered the SDK's
// task.fence with HTTP 400, and the SDK retried it without pause) must be reported, not hammered.

/**
 * A stand-in for the Resonate server: refuses the requests `refuses` picks with a 400 in the
 * server's own error format, and passes the rest to `upstream` (a real server), if any.
 */
interface StandIn {
  url: string;
  /** Requests received so far (POSTs by request kind, plus the poll's GETs). */
  received(): number;
  byKind(): Record<string, number>;
  /** From now on pass everything to the upstream server. */
  acceptAll(): void;
  close(): Promise<void>;
}

async function startStandIn(options: {
  refuses: (kind: string) => boolean;
  upstream?: string | undefined;
}): Promise<StandIn> {
  const counts: Record<string, number> = {};
  let refuses = options.refuses;
  const refuse = (res: ServerResponse, kind: string) => {
    res.writeHead(400, { "content-type": "application/json" }).end(
      JSON.stringify({
        kind,
        head: { corrId: "0", status: 400, version: "2026-04-01" },
        data: `Invalid request: the stand-in refuses ${kind}`,
      }),
    );
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let kind = `${req.method} ${(req.url ?? "/").split("/").slice(0, 2).join("/")}`;
      if (req.method === "POST") {
        try {
          kind = String((JSON.parse(body.toString("utf8")) as { kind?: unknown }).kind);
        } catch {}
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (refuses(kind) || !options.upstream) {
        refuse(res, kind);
        return;
      }
      const forward = httpRequest(
        `${options.upstream}${req.url ?? "/"}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      res.on("close", () => forward.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => Object.values(counts).reduce((a, b) => a + b, 0),
    byKind: () => ({ ...counts }),
    acceptAll: () => {
      refuses = () => false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const standIns: StandIn[] = [];
afterEach(async () => {
  await stopAllApps();
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

const refusal = (url: string, kind: string) => (l: LogLine) =>
  l.event === LOG_EVENTS.resonateRefused && l.url === url && l.kind === kind;

/** Resolves once the stand-in has received a request of `kind`. */
async function waitForRequest(standIn: StandIn, kind: string): Promise<void> {
  await vi.waitFor(() => expect(standIn.byKind()[kind] ?? 0, `requests of ${kind}`).toBeGreaterThan(0), {
    timeout: 30_000,
    interval: 50,
  });
}

async function readyz(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Watches a worker refused by `standIn` until its health shows `failures` refusals in a row (with
 * the guard's doubling back-off, 4 refusals span 1 + 2 + 4 s): the requests the stand-in received
 * meanwhile and the refusal lines the worker logged meanwhile.
 */
async function observe(worker: RunningApp, standIn: StandIn, port: number, failures = 4) {
  const requestsBefore = standIn.received();
  const linesBefore = worker.logs.length;
  const startedAt = Date.now();
  await vi.waitFor(
    async () => {
      const { resonate } = (await readyz(port)).body as { resonate?: { failures?: number } };
      expect(resonate?.failures ?? 0, "refusals in a row").toBeGreaterThanOrEqual(failures);
    },
    { timeout: 60_000, interval: 250 },
  );
  return {
    seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    requests: standIn.received() - requestsBefore,
    refusalLines: worker.logs
      .slice(linesBefore)
      .filter((l) => l.event === LOG_EVENTS.resonateRefused || l.event === LOG_EVENTS.resonateUnreachable),
  };
}

async function expectAlive(worker: RunningApp, port: number) {
  expect(worker.child.exitCode).toBeNull();
  expect(worker.child.signalCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
}

const serverUrl = resonateServerUrl;
const withServer = needsServer;

describe("worker against a Resonate server that refuses it", () => {
  it("a server refusing every request: /readyz says so, one error line per kind, few requests, still alive", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const standIn = await startStandIn({ refuses: () => true });
    standIns.push(standIn);
    const worker = await startWorker(pipeline, {}, { resonateUrl: standIn.url });
    const port = await httpPort(worker);
    const id = pipeline.id("refused");
    await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);

    // The first request a record causes is the start of its workflow (task.create), before any lookup.
    await waitForRequest(standIn, "task.create");
    // Measured first and asserted after, so a failing run still shows every number.
    const window = await observe(worker, standIn, port);
    const ready = await readyz(port);
    console.log(
      `[refuse-all] in ${window.seconds} s (4 refusals): ${window.requests} requests, ${window.refusalLines.length} refusal lines; by kind since start: ${JSON.stringify(standIn.byKind())}; /readyz ${ready.status} ${JSON.stringify(ready.body)}`,
    );

    // (a) not ready, and the JSON says why
    expect.soft(ready.status).toBe(503);
    expect
      .soft(ready.body)
      .toMatchObject({ ready: false, resonate: { state: "failing", url: standIn.url, status: 400 } });
    // (b) an error line names the server, the refused request kind, the status and the server's reason
    const line = worker.logs.find(refusal(standIn.url, "task.create"));
    expect.soft(line).toMatchObject({
      level: 50,
      status: 400,
      error: expect.stringContaining("the stand-in refuses task.create"),
    });
    // (c), (d) over four refusals: a bounded number of requests and of log lines
    expect.soft(window.requests).toBeLessThan(50);
    expect.soft(window.refusalLines.length).toBeLessThanOrEqual(3);
    // (e)
    await expectAlive(worker, port);
  });

  it.skipIf(!serverUrl)(
    withServer("a server refusing only task.fence (the unreleased build) is reported and not hammered"),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const standIn = await startStandIn({ refuses: (kind) => kind === "task.fence", upstream: serverUrl });
      standIns.push(standIn);
      const id = pipeline.id("fenced");
      const worker = await startWorker(
        pipeline,
        { SIM_TRANSIENT_ERROR_RATE: "0", SIM_FIXED_BATCHES: `${id}=1` },
        { resonateUrl: standIn.url },
      );
      const port = await httpPort(worker);
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);

      await waitForRequest(standIn, "task.fence");
      const window = await observe(worker, standIn, port);
      const ready = await readyz(port);
      console.log(
        `[refuse-fence] in ${window.seconds} s (4 refusals): ${window.requests} requests, ${window.refusalLines.length} refusal lines; by kind since start: ${JSON.stringify(standIn.byKind())}; /readyz ${ready.status} ${JSON.stringify(ready.body)}`,
      );

      expect.soft(ready.status).toBe(503);
      expect
        .soft(ready.body)
        .toMatchObject({ resonate: { state: "failing", url: standIn.url, kind: "task.fence" } });
      expect
        .soft(worker.logs.find(refusal(standIn.url, "task.fence")))
        .toMatchObject({ level: 50, status: 400, error: expect.stringContaining("refuses task.fence") });
      expect.soft(window.requests).toBeLessThan(50);
      expect.soft(window.refusalLines.length).toBeLessThanOrEqual(3);
      await expectAlive(worker, port);
    },
  );

  it.skipIf(!serverUrl)(
    withServer("once the server accepts again, /readyz is 200 again and the record completes"),
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 1);
      const standIn = await startStandIn({ refuses: () => true, upstream: serverUrl });
      standIns.push(standIn);
      const id = pipeline.id("recovers");
      const worker = await startWorker(
        pipeline,
        { SIM_TRANSIENT_ERROR_RATE: "0", SIM_FIXED_BATCHES: `${id}=1` },
        { resonateUrl: standIn.url },
      );
      const port = await httpPort(worker);
      await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
      await waitForRequest(standIn, "task.create");
      await worker.waitForLog(refusal(standIn.url, "task.create"), 30_000);
      expect((await readyz(port)).status).toBe(503);

      standIn.acceptAll();

      const ready = await vi.waitFor(
        async () => {
          const answer = await readyz(port);
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          return answer;
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(ready.body).toMatchObject({ ready: true, resonate: { state: "healthy", url: standIn.url } });
      await worker.waitForLog((l) => l.event === LOG_EVENTS.resonateRecovered && l.url === standIn.url);
      const completions = await readCompletions(pipeline, 1, 60_000);
      expect(completions.map((c) => c.recordId)).toEqual([id]);
    },
  );
});
