import { LOG_EVENTS } from "@deletion/contracts";
import { HttpNetwork, type Logger, ResonateTimeoutException } from "@resonatehq/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GuardedHttpNetwork, SDK_PROTOCOL_STATUSES } from "../src/guarded-network.js";
import { fetchTransport } from "../src/http-transport.js";
import type { ResonateHealth } from "../src/server-guard.js";
import { adapter } from "./poll-adapter.js";

const URL = "http://resonate.test:8001";

interface Line {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: Line["level"]) =>
    (fields: Record<string, unknown>, msg: string): void => {
      lines.push({ level, fields, msg });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

type Answer = { status: number; body?: unknown } | "unreachable";

/** A server whose answer to each request kind the test sets; it notes when each request came. */
class FakeServer {
  readonly calls: { kind: string; at: number }[] = [];
  answers = new Map<string, Answer>();
  /** Fake time an answer takes; a test with a retry loop sets it, so the loop advances with the clock. */
  latencyMs = 0;

  readonly fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const req = JSON.parse(String(init?.body)) as { kind: string; head: { corrId: string } };
    this.calls.push({ kind: req.kind, at: Date.now() });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const answer = this.answers.get(req.kind) ?? { status: 404 };
    if (answer === "unreachable") {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      });
    }
    const head = { corrId: req.head.corrId, status: answer.status, version: "2026-04-01" };
    const data = answer.body ?? (answer.status === 200 ? {} : `answer ${answer.status}`);
    return new Response(JSON.stringify({ kind: req.kind, head, data }), {
      status: answer.status,
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;

  count(kind: string): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  gaps(kind: string): number[] {
    const at = this.calls.filter((c) => c.kind === kind).map((c) => c.at);
    return at.slice(1).map((t, i) => t - (at[i] as number));
  }
}

const refusal = (kind: string) => ({
  status: 400,
  body: `Invalid request: unknown field in ${kind}`,
});

let corr = 0;
const request = (kind: string) =>
  ({ kind, head: { corrId: `c${++corr}`, version: "2026-04-01" }, data: { id: "x" } }) as never;

function setUp(backoff = {}) {
  const server = new FakeServer();
  const logger = recordingLogger();
  const network = new GuardedHttpNetwork({
    url: URL,
    group: "g",
    pid: "p",
    logger,
    adapter,
    transport: fetchTransport(server.fetch),
    backoff,
  });
  return { server, logger, network };
}

/** What the SDK does with a refused task.fence: try again at once, forever. */
function hotLoop(network: GuardedHttpNetwork, kind: string): () => void {
  let running = true;
  void (async () => {
    while (running) await network.send(request(kind)).catch(() => {});
  })();
  return () => {
    running = false;
  };
}

const refusedLines = (logger: { lines: Line[] }) =>
  logger.lines.filter((l) => l.fields.event === LOG_EVENTS.resonateRefused);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("GuardedHttpNetwork", () => {
  it("keeps the SDK's list of protocol statuses", () => {
    const sdk = (HttpNetwork as unknown as { PROTOCOL_STATUSES: Set<number> }).PROTOCOL_STATUSES;
    expect([...SDK_PROTOCOL_STATUSES].sort()).toEqual([...sdk].sort());
  });

  it("a refused kind is retried after 1, 2, 4 ... 30 s, not at once; a success lets requests go at once again", async () => {
    const { server, network } = setUp();
    server.latencyMs = 10;
    server.answers.set("promise.get", refusal("promise.get"));
    const stop = hotLoop(network, "promise.get");

    await vi.advanceTimersByTimeAsync(120_000);
    // each gap is the backoff plus the 10 ms the fake server takes to answer
    expect(server.gaps("promise.get").map((g) => g - 10)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);

    server.answers.set("promise.get", { status: 404 }); // found nothing: a normal answer
    await vi.advanceTimersByTimeAsync(30_000);
    const before = server.count("promise.get");
    await vi.advanceTimersByTimeAsync(1_000);
    // 10 ms per answer and no wait in between: about 100 in a second
    expect(server.count("promise.get") - before).toBeGreaterThanOrEqual(90);
    stop();

    // and a new failure starts again from the first delay
    server.answers.set("promise.get", refusal("promise.get"));
    const restart = hotLoop(network, "promise.get");
    await vi.advanceTimersByTimeAsync(4_000);
    restart();
    expect(server.gaps("promise.get").slice(-2)).toEqual([1_010, 2_010]);
  });

  it("reports failing with what was refused, and healthy again after a success", async () => {
    const { server, network, logger } = setUp();
    expect(network.guard.health()).toEqual({ state: "healthy", url: URL });
    server.answers.set("task.fence", refusal("task.fence"));

    const error = await network.send(request("task.fence")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResonateTimeoutException);
    expect(String(error)).toContain(`${URL} refused task.fence with HTTP 400`);

    const health = network.guard.health() as Extract<ResonateHealth, { state: "failing" }>;
    expect(health).toMatchObject({
      state: "failing",
      url: URL,
      kind: "task.fence",
      status: 400,
      error: "Invalid request: unknown field in task.fence",
      failures: 1,
      retryInMs: 1_000,
      failingKinds: ["task.fence"],
    });
    expect(Date.parse(health.since)).toBe(Date.now());

    // other kinds are not held back by it
    await network.send(request("promise.get"));
    expect(network.guard.health().state).toBe("failing");

    server.answers.set("task.fence", { status: 409 }); // fenced out: a normal protocol answer
    const sent = network.send(request("task.fence")).catch(() => {});
    await vi.advanceTimersByTimeAsync(1_100);
    await sent;
    expect(network.guard.health()).toEqual({ state: "healthy", url: URL });
    expect(logger.lines.at(-1)).toMatchObject({
      level: "info",
      fields: { event: LOG_EVENTS.resonateRecovered, url: URL, kinds: ["task.fence"] },
    });
  });

  it("logs one error line per kind of failure every 30 s, counting the ones it did not log", async () => {
    const { server, network, logger } = setUp({ maxDelayMs: 2_000 });
    server.answers.set("task.fence", refusal("task.fence"));
    server.latencyMs = 10;
    // 20 requests sent before the first answer: they fail together
    const burst = Array.from({ length: 20 }, () => network.send(request("task.fence")).catch(() => {}));
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(burst);
    const stop = hotLoop(network, "task.fence");
    await vi.advanceTimersByTimeAsync(65_000);
    stop();

    const lines = refusedLines(logger);
    expect(lines.map((l) => l.level)).toEqual(["error", "error", "error"]);
    expect(lines[0]?.fields).toMatchObject({
      event: LOG_EVENTS.resonateRefused,
      url: URL,
      kind: "task.fence",
      status: 400,
      error: "Invalid request: unknown field in task.fence",
      suppressed: 0,
    });
    expect(lines[0]?.msg).toContain(`Resonate server ${URL} refused task.fence with HTTP 400`);
    // the 19 of the first burst, then one retry every 2 s
    expect(lines[1]?.fields.suppressed).toBeGreaterThanOrEqual(19 + 13);
    const failures = server.count("task.fence");
    expect(lines.reduce((n, l) => n + 1 + Number(l.fields.suppressed), 0)).toBeLessThanOrEqual(failures);
  });

  it("while a kind fails, one request at a time is let through; the rest wait for its answer", async () => {
    const { server, network } = setUp();
    server.answers.set("task.create", refusal("task.create"));
    await network.send(request("task.create")).catch(() => {});
    server.latencyMs = 10; // so the others' turn comes while one is on its way
    const waiting = Array.from({ length: 50 }, () =>
      network.send(request("task.create")).then(
        () => "ok",
        () => "refused",
      ),
    );

    await vi.advanceTimersByTimeAsync(7_100); // retries at 1 s, 3 s, 7 s
    expect(server.count("task.create")).toBe(4);

    server.answers.set("task.create", { status: 409 });
    await vi.advanceTimersByTimeAsync(8_100);
    const outcomes = await Promise.all(waiting);
    expect(outcomes.filter((o) => o === "refused")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(47);
    expect(server.count("task.create")).toBe(4 + 1 + 46);
  });

  it("a server that cannot be reached holds back every kind and is reported as unreachable", async () => {
    const { server, network, logger } = setUp();
    server.answers.set("task.create", "unreachable");
    server.answers.set("promise.get", "unreachable");
    await network.send(request("task.create")).catch(() => {});

    expect(network.guard.health()).toMatchObject({ state: "failing", kind: "*", url: URL });
    expect(logger.lines.at(-1)?.fields).toMatchObject({
      event: LOG_EVENTS.resonateUnreachable,
      url: URL,
      error: expect.stringContaining("ECONNREFUSED"),
    });
    const get = network.send(request("promise.get")).catch(() => {});
    await vi.advanceTimersByTimeAsync(500);
    expect(server.count("promise.get")).toBe(0);
    await vi.advanceTimersByTimeAsync(600);
    await get;
    expect(server.count("promise.get")).toBe(1);
  });

  it("does not queue heartbeats behind a backoff: one that is not due fails at once", async () => {
    const { server, network } = setUp();
    server.answers.set("task.heartbeat", refusal("task.heartbeat"));
    await network.send(request("task.heartbeat")).catch(() => {});
    const error = await network.send(request("task.heartbeat")).catch((e: unknown) => e);
    expect(String(error)).toContain("not sent while backing off");
    expect(server.count("task.heartbeat")).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await network.send(request("task.heartbeat")).catch(() => {});
    expect(server.count("task.heartbeat")).toBe(2);
  });

  it("404 and 409 are answers, not failures", async () => {
    const { server, network, logger } = setUp();
    server.answers.set("promise.get", { status: 404 });
    server.answers.set("promise.create", { status: 409 });
    const sent = [network.send(request("promise.get")), network.send(request("promise.create"))];
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all(sent);
    expect(network.guard.health().state).toBe("healthy");
    expect(logger.lines).toEqual([]);
  });

  it("stop releases requests waiting behind a backoff", async () => {
    const { server, network } = setUp();
    server.answers.set("task.create", refusal("task.create"));
    await network.send(request("task.create")).catch(() => {});
    server.latencyMs = 10; // so the others' turn comes while one is on its way
    const waiting = network.send(request("task.create")).catch((e: unknown) => e);
    await network.stop();
    expect(String(await waiting)).toContain("stopping");
    expect(server.count("task.create")).toBe(1);
  });

  it("passes a fence's answer on without its preload, and keeps the preload of other answers", async () => {
    const { server, network } = setUp();
    const promise = {
      id: "wf",
      state: "pending",
      param: { headers: {}, data: "e30=" },
      value: { headers: {}, data: "" },
      tags: {},
      timeoutAt: 1,
      createdAt: 0,
    };
    const created = {
      kind: "promise.create",
      head: { corrId: "i", status: 200, version: "v" },
      data: { promise },
    };
    server.answers.set("task.fence", { status: 200, body: { action: created, preload: [promise] } });
    server.answers.set("task.acquire", { status: 200, body: { promise, preload: [promise] } });
    const fence = (await network.send(request("task.fence"))) as {
      data: { preload: unknown[]; action: unknown };
    };
    const acquire = (await network.send(request("task.acquire"))) as { data: { preload: unknown[] } };
    expect(fence.data).toEqual({ action: created, preload: [] });
    expect(acquire.data.preload).toEqual([promise]);
  });

  it("a checkpoint that gets no answer is sent again once the server answers; other requests fail", async () => {
    const { server, network } = setUp();
    server.answers.set("task.fulfill", "unreachable");
    server.answers.set("promise.get", "unreachable");
    let answered: unknown;
    const fulfil = network.send(request("task.fulfill")).then((res) => {
      answered = res;
    });
    const lookup = network.send(request("promise.get")).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(7_500);
    expect(String(await lookup)).toContain("unreachable on promise.get");
    expect(answered).toBeUndefined();
    // Sent at once, then after the backoff of 1, 2 and 4 s.
    expect(server.count("task.fulfill")).toBe(4);

    // Any answer ends the retries (409: the task moved on meanwhile; the SDK handles that).
    server.answers.set("task.fulfill", { status: 409 });
    await vi.advanceTimersByTimeAsync(8_000);
    await fulfil;
    expect(answered).toMatchObject({ kind: "task.fulfill", head: { status: 409 } });
    expect(server.count("task.fulfill")).toBe(5);
  });

  it("a checkpoint waiting for the server ends when the client stops", async () => {
    const { server, network } = setUp();
    server.answers.set("task.fence", "unreachable");
    const fence = network.send(request("task.fence")).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    await network.stop();
    expect(String(await fence)).toContain("stopping");
  });
});
