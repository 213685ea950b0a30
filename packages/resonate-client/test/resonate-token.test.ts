import { describe, expect, it } from "vitest";
import { describeToken, explainAuthRefusal, requestResourceId, tokenScopeProblem } from "../src/index.js";

/** An unsigned token with these claims: these functions never verify (the server does). */
const token = (claims: Record<string, unknown>) =>
  [{ alg: "EdDSA", typ: "JWT" }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
    .concat("c2lnbmF0dXJl")
    .join(".");

const now = Date.parse("2026-06-01T12:00:00Z");
const inAnHour = now / 1000 + 3600;

describe("tokenScopeProblem", () => {
  it("a token scoped to the promise prefix (with or without the slash) or admin is fine", () => {
    expect(tokenScopeProblem(token({ prefix: "deletion/", exp: inAnHour }), "deletion", now)).toBeUndefined();
    expect(tokenScopeProblem(token({ prefix: "deletion", exp: inAnHour }), "deletion", now)).toBeUndefined();
    expect(tokenScopeProblem(token({ prefix: "", exp: inAnHour }), "deletion", now)).toBeUndefined();
    expect(tokenScopeProblem(token({ role: "Admin", exp: inAnHour }), "deletion", now)).toBeUndefined();
  });

  it("says what is wrong with one the server will refuse", () => {
    expect(tokenScopeProblem(token({ prefix: "billing/", exp: inAnHour }), "deletion", now)).toBe(
      `the token's prefix "billing/" does not cover this worker's promise ids (deletion/...)`,
    );
    expect(tokenScopeProblem(token({ prefix: "deletion/x", exp: inAnHour }), "deletion", now)).toMatch(
      /does not cover/,
    );
    expect(tokenScopeProblem(token({ prefix: "deletion/", exp: now / 1000 - 60 }), "deletion", now)).toBe(
      "the token expired at 2026-06-01T11:59:00.000Z",
    );
    expect(tokenScopeProblem(token({ prefix: "deletion/" }), "deletion", now)).toMatch(/no exp claim/);
    expect(tokenScopeProblem(token({ exp: inAnHour }), "deletion", now)).toMatch(/no prefix claim/);
    expect(tokenScopeProblem("a.b.c", "deletion", now)).toMatch(/cannot be read/);
  });
});

describe("explainAuthRefusal", () => {
  const get = (id: string) => ({ kind: "promise.get", data: { id } });

  it("401: no token, an expired one, or one the server did not accept", () => {
    expect(explainAuthRefusal(401, undefined, get("deletion/a"), now)).toBe(
      "no token was sent, and the server requires one",
    );
    expect(explainAuthRefusal(401, token({ exp: now / 1000 - 3600 }), get("deletion/a"), now)).toBe(
      "the token expired at 2026-06-01T11:00:00.000Z",
    );
    expect(explainAuthRefusal(401, token({ exp: inAnHour }), get("deletion/a"), now)).toMatch(
      /did not accept the token/,
    );
  });

  it("403: names the id the token's prefix does not cover, for every kind of request", () => {
    const billing = token({ prefix: "billing/", exp: inAnHour });
    expect(explainAuthRefusal(403, billing, get("deletion/a"), now)).toBe(
      `the token's prefix "billing/" does not cover deletion/a`,
    );
    const create = { kind: "task.create", data: { action: { data: { id: "deletion/b" } } } };
    expect(explainAuthRefusal(403, billing, create, now)).toMatch(/does not cover deletion\/b$/);
    const heartbeat = {
      kind: "task.heartbeat",
      data: { pid: "p", tasks: [{ id: "billing/x" }, { id: "deletion/c" }] },
    };
    expect(explainAuthRefusal(403, billing, heartbeat, now)).toMatch(/does not cover deletion\/c$/);
    expect(explainAuthRefusal(403, billing, { kind: "promise.search", data: {} }, now)).toBe(
      `a token scoped to the prefix "billing/" may not search (promise.search)`,
    );
    expect(explainAuthRefusal(403, token({ exp: inAnHour }), get("deletion/a"), now)).toBe(
      "the token has no prefix claim and no admin role",
    );
  });

  it("says nothing about other statuses", () => {
    expect(explainAuthRefusal(400, token({}), get("x"), now)).toBeUndefined();
  });
});

describe("requestResourceId (the server's extract_resource_id)", () => {
  it("reads the id each request kind is checked by", () => {
    expect(requestResourceId("promise.register_listener", { awaited: "a", address: "poll://x" })).toBe("a");
    expect(requestResourceId("promise.register_callback", { awaited: "a:1", awaiter: "a" })).toBe("a:1");
    expect(requestResourceId("task.fence", { id: "a:2" })).toBe("a:2");
    expect(requestResourceId("task.search", {})).toBe("");
    expect(requestResourceId("task.heartbeat", { tasks: [] })).toBeUndefined();
  });
});

describe("the token itself", () => {
  it("is described without its text", () => {
    const t = token({ prefix: "deletion/", role: "worker", exp: inAnHour });
    const described = describeToken(t);
    expect(described).toEqual({ prefix: "deletion/", role: "worker", expiresAt: "2026-06-01T13:00:00.000Z" });
    expect(JSON.stringify(described)).not.toContain(t.split(".")[2]);
  });
});
