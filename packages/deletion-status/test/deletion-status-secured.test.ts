import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createPayloadCipher } from "@deletion/resonate-client";
import { PromiseIds } from "@deletion/workflows";
import { Codec } from "@resonatehq/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { outcomeOf, workflowInput } from "../../workflows/test/stored-promises.js";
import { describeStatus, httpStatusSource, listFailed, readRecordStatus } from "../src/index.js";

const ids = new PromiseIds();
const key = { id: "k1", key: randomBytes(32) };
const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: key });
const codec = new Codec();
const bearer = [{ alg: "EdDSA" }, { prefix: "deletion/", exp: Date.now() / 1000 + 600 }]
  .map((p) => Buffer.from(JSON.stringify(p)).toString("base64url"))
  .concat("c2ln")
  .join(".");

/**
 * A stand-in for server v0.9.8 with auth on: answers promise.get from `promises` to a request
 * carrying the token, 401 without it, and 403 to every search (a scoped token may not search).
 */
async function securedServer(promises: Record<string, unknown>) {
  const seen: { kind: string; auth: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const envelope = JSON.parse(body) as {
        kind: string;
        head: { corrId: string; auth?: string };
        data: { id?: string };
      };
      seen.push({ kind: envelope.kind, auth: envelope.head.auth });
      const answer = (status: number, data: unknown) =>
        res
          .writeHead(status, { "content-type": "application/json" })
          .end(JSON.stringify({ kind: envelope.kind, head: { corrId: envelope.head.corrId, status }, data }));
      if (envelope.head.auth !== bearer) return answer(401, "Unauthorized");
      if (envelope.kind === "promise.search") return answer(403, "Forbidden");
      const promise = promises[envelope.data.id ?? ""];
      return promise ? answer(200, { promise }) : answer(404, "not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)))));

const encrypted = (id: string, state: "pending" | "resolved", value?: unknown) => ({
  id,
  state,
  param: cipher.seal(
    codec.encode({ func: "deleteRecord", args: [workflowInput("r1", 1, "118")], version: 1 }),
    id,
  ),
  value: cipher.seal(codec.encode(value), id),
  tags: { "resonate:origin": id, "resonate:scope": "global" },
});

describe("status against a server with auth and encrypted payloads", () => {
  it("sends the token and reads an encrypted promise with the key", async () => {
    const { url, seen } = await securedServer({
      "deletion/r1": encrypted("deletion/r1", "resolved", outcomeOf("r1", 1)),
    });
    const source = httpStatusSource(url, { token: bearer, payloads: cipher });
    const status = await readRecordStatus("r1", { ids, source });
    expect(status).toMatchObject({ state: "done", source: { offset: "118" }, batches: 1 });
    expect(seen).toEqual([{ kind: "promise.get", auth: bearer }]);
  });

  it("without the key: says the promise cannot be read, not that it is someone else's garbage", async () => {
    const { url } = await securedServer({
      "deletion/r1": encrypted("deletion/r1", "resolved", outcomeOf("r1", 1)),
    });
    const status = await readRecordStatus("r1", { ids, source: httpStatusSource(url, { token: bearer }) });
    expect(status).toMatchObject({
      state: "foreign",
      reason:
        "promise deletion/r1: param the stored value is encrypted (key id k1) and no payload key is configured",
    });
  });

  it("without the token: the refusal says so", async () => {
    const { url } = await securedServer({});
    const status = await readRecordStatus("r1", { ids, source: httpStatusSource(url) });
    expect(describeStatus(status)[0]).toBe(
      `r1: status unknown: the Resonate server at ${url} answered promise.get with 401: Unauthorized (no token was sent, and the server requires one)`,
    );
  });

  it("a running record with search refused (a scoped token): running, progress not known", async () => {
    const { url } = await securedServer({ "deletion/r1": encrypted("deletion/r1", "pending") });
    const status = await readRecordStatus("r1", {
      ids,
      source: httpStatusSource(url, { token: bearer, payloads: cipher }),
    });
    expect(status).toMatchObject({ state: "accepted", progressUnknown: expect.stringContaining("403") });
    expect(describeStatus(status)[0]).toMatch(
      /^r1: running; batches done so far not known: .*may not search/,
    );
  });

  it("listing with a scoped token: says it needs a token that may search", async () => {
    const { url } = await securedServer({});
    const listed = await listFailed({ ids, source: httpStatusSource(url, { token: bearer }), limit: 10 });
    expect(listed).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/needs a token with an empty prefix or the admin role$/),
    });
  });
});
