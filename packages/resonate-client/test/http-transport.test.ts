import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { keepAliveTransport } from "../src/http-transport.js";

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server that echoes each body with the headers it got, counting connections and requests in flight. */
async function echoServer(delayMs = 0) {
  const seen = { connections: 0, inFlight: 0, maxInFlight: 0 };
  server = http.createServer((req, res) => {
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () =>
      setTimeout(() => {
        seen.inFlight--;
        res.writeHead(409, { "content-type": "application/json" });
        res.end(JSON.stringify({ body: Buffer.concat(chunks).toString(), auth: req.headers.authorization }));
      }, delayMs),
    );
  });
  server.on("connection", () => seen.connections++);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("keepAliveTransport", () => {
  it("returns the status, content type and whole body, with the headers it was given", async () => {
    const { url } = await echoServer();
    const answer = await keepAliveTransport()(url, {
      body: "é".repeat(10_000),
      headers: { "content-type": "application/json", authorization: "Bearer t" },
      timeoutMs: 5_000,
    });
    expect(answer.status).toBe(409);
    expect(answer.contentType).toBe("application/json");
    expect(JSON.parse(answer.text)).toEqual({ body: "é".repeat(10_000), auth: "Bearer t" });
  });

  it("reuses its connections and keeps at most the bound open at once", async () => {
    const { url, seen } = await echoServer(5);
    const send = keepAliveTransport(4);
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 20 }, () => send(url, { body: "{}", headers: {}, timeoutMs: 5_000 })),
      );
    }
    expect(seen.maxInFlight).toBe(4);
    expect(seen.connections).toBe(4);
  });

  it("counts the timeout from the request's connection, not while it waits for a free one", async () => {
    const { url, seen } = await echoServer(300);
    const send = keepAliveTransport(1);
    // The second waits about 300 ms for the only connection, then is answered 300 ms later:
    // within its 500 ms once it is sent, past them counted from the call.
    const answers = await Promise.all([
      send(url, { body: "first", headers: {}, timeoutMs: 5_000 }),
      send(url, { body: "second", headers: {}, timeoutMs: 500 }),
    ]);
    expect(answers.map((a) => JSON.parse(a.text).body)).toEqual(["first", "second"]);
    expect(seen.maxInFlight).toBe(1);
  });

  it("rejects with the reason when nothing listens, and when no answer comes in time", async () => {
    const { url } = await echoServer(2_000);
    const send = keepAliveTransport();
    await expect(send(url, { body: "{}", headers: {}, timeoutMs: 100 })).rejects.toThrow(
      "no answer within 100 ms",
    );
    await expect(
      send("http://127.0.0.1:1", { body: "{}", headers: {}, timeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});

describe("keepAliveTransport and closed connections", () => {
  it("sends a request once more on a new connection when the server closed the kept-alive one", async () => {
    const perSocket = new Map<unknown, number>();
    let connections = 0;
    server = http.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a connection finds it closed, as after a server's idle timeout.
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = keepAliveTransport(1);
    const request = { body: "{}", headers: {}, timeoutMs: 5_000 };
    expect((await send(url, request)).text).toBe("ok");
    expect((await send(url, request)).text).toBe("ok");
    expect(connections).toBe(2);
  });
});
