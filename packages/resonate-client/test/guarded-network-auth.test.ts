import { type Logger, ResonateTimeoutException } from "@resonatehq/sdk";
import { describe, expect, it, vi } from "vitest";
import { GuardedHttpNetwork, type HttpTransport, type TransportRequest } from "../src/index.js";
import { adapter } from "./poll-adapter.js";

const URL = "http://resonate.test:8001";
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const token = (claims: Record<string, unknown>) =>
  [{ alg: "EdDSA", typ: "JWT" }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
    .concat("c2ln")
    .join(".");

/** A server that answers every request with `status` as server v0.9.8 does, and keeps what it got. */
function server(status: number, data: unknown = status === 401 ? "Unauthorized" : "Forbidden") {
  const received: TransportRequest[] = [];
  const transport: HttpTransport = async (_url, request) => {
    received.push(request);
    const req = JSON.parse(request.body) as { kind: string; head: { corrId: string } };
    const head = { corrId: req.head.corrId, status, version: "2026-04-01" };
    return { status, contentType: "application/json", text: JSON.stringify({ kind: req.kind, head, data }) };
  };
  return { received, transport };
}

const get = (id: string) =>
  ({ kind: "promise.get", head: { corrId: `c-${id}`, version: "2026-04-01" }, data: { id } }) as never;

function network(transport: HttpTransport, bearer?: string) {
  return new GuardedHttpNetwork({
    url: URL,
    group: "g",
    pid: "p",
    logger: silent,
    adapter,
    transport,
    ...(bearer ? { token: bearer } : {}),
  });
}

describe("GuardedHttpNetwork with a token", () => {
  it("sends it in the envelope (what the server reads) and as a bearer header", async () => {
    const bearer = token({ prefix: "deletion/", exp: Date.now() / 1000 + 60 });
    const s = server(404, "not found");
    await network(s.transport, bearer).send(get("deletion/a"));
    const [sent] = s.received;
    expect(JSON.parse(sent?.body ?? "{}").head.auth).toBe(bearer);
    expect(sent?.headers.authorization).toBe(`Bearer ${bearer}`);
  });

  it("sends none when it has none", async () => {
    const s = server(404, "not found");
    await network(s.transport).send(get("deletion/a"));
    const [sent] = s.received;
    expect(JSON.parse(sent?.body ?? "{}").head.auth).toBeUndefined();
    expect(sent?.headers.authorization).toBeUndefined();
  });
});

describe("401 and 403 are refusals", () => {
  it("401 for an expired token: the request fails, the guard backs off, health names the expiry", async () => {
    const s = server(401);
    const expired = token({ prefix: "deletion/", exp: Date.parse("2026-01-01T00:00:00Z") / 1000 });
    const net = network(s.transport, expired);
    await expect(net.send(get("deletion/a"))).rejects.toBeInstanceOf(ResonateTimeoutException);
    expect(net.guard.health()).toMatchObject({
      state: "failing",
      url: URL,
      kind: "promise.get",
      status: 401,
      error: "Unauthorized: the token expired at 2026-01-01T00:00:00.000Z",
      retryInMs: expect.any(Number),
    });
    // Backing off: the next request of that kind waits out the back-off instead of going out at once.
    const { retryInMs } = net.guard.health() as { retryInMs: number };
    vi.useFakeTimers();
    try {
      const next = net.send(get("deletion/b")).catch(() => "refused");
      await vi.advanceTimersByTimeAsync(retryInMs - 50);
      expect(s.received).toHaveLength(1);
      await net.stop();
      expect(await next).toBe("refused");
    } finally {
      vi.useRealTimers();
    }
  });

  it("401 without a token says the server wants one", async () => {
    const net = network(server(401).transport);
    await expect(net.send(get("deletion/a"))).rejects.toThrow(
      "refused promise.get with HTTP 401: Unauthorized: no token was sent, and the server requires one",
    );
  });

  it("403 names the id the token's prefix does not cover", async () => {
    const net = network(server(403).transport, token({ prefix: "billing/", exp: Date.now() / 1000 + 60 }));
    await expect(net.send(get("deletion/a"))).rejects.toThrow(
      `refused promise.get with HTTP 403: Forbidden: the token's prefix "billing/" does not cover deletion/a`,
    );
    expect(net.guard.health()).toMatchObject({ state: "failing", status: 403 });
  });
});
