import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, serverRequests } from "../src/index.js";

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that answers every request with `reply` and remembers what it was sent. */
async function fakeServer(reply: (body: Record<string, unknown>) => { status: number; text: string }) {
  const seen: Array<{ headers: IncomingMessage["headers"]; body: Record<string, unknown> }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      seen.push({ headers: req.headers, body });
      const answer = reply(body);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.text);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("serverRequests", () => {
  it("speaks the SDK's protocol version", () => {
    // The SDK keeps it in util.js without exporting it; read it where the package ships it.
    const sdkEntry = createRequire(import.meta.url).resolve("@resonatehq/sdk");
    const util = readFileSync(join(dirname(sdkEntry), "util.js"), "utf8");
    expect(/export const VERSION = "([^"]+)"/.exec(util)?.[1]).toBe(PROTOCOL_VERSION);
  });

  it("sends the envelope with the token in the head and the header, and reads the head's status", async () => {
    const server = await fakeServer(() => ({ status: 200, text: JSON.stringify({ head: { status: 404 } }) }));
    const call = serverRequests(server.url, { token: "t0k" });
    expect(await call("promise.get", { id: "deletion/r1" })).toEqual({ status: 404, data: undefined });
    const [sent] = server.seen;
    expect(sent?.headers.authorization).toBe("Bearer t0k");
    expect(sent?.body).toMatchObject({
      kind: "promise.get",
      head: { version: PROTOCOL_VERSION, auth: "t0k" },
      data: { id: "deletion/r1" },
    });
  });

  it("an answer that is not JSON keeps the HTTP status and the text", async () => {
    const server = await fakeServer(() => ({ status: 401, text: "Unauthorized" }));
    expect(await serverRequests(server.url)("promise.get", { id: "x" })).toEqual({
      status: 401,
      data: "Unauthorized",
    });
  });

  it("rejects when nothing answers", async () => {
    const server = await fakeServer(() => ({ status: 200, text: "{}" }));
    const url = server.url;
    for (const s of servers.splice(0)) s.close();
    await expect(serverRequests(url, { timeoutMs: 500 })("promise.get", { id: "x" })).rejects.toThrow();
  });
});
