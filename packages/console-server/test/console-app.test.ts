import type { RecordStatus } from "@deletion/deletion-status";
import { describe, expect, it } from "vitest";
import { createConsoleApp } from "../src/console-app.js";
import { LiveHub } from "../src/live-hub.js";
import { RedriveRefused } from "../src/redrive-actions.js";
import { Sessions } from "../src/sessions.js";
import { CSRF_HEADER, type RedriveAnswer } from "../src/view.js";

const TOKEN = "0123456789abcdef0123456789abcdef0123";

function consoleApp() {
  const redriven: unknown[] = [];
  const app = createConsoleApp({
    sessions: new Sessions({ token: TOKEN, ttlMs: 60_000, maxSessions: 10, now: () => 0 }),
    hub: new LiveHub({ render: () => "{}", throttleMs: 10 }),
    assets: new Map([
      ["index.html", { body: new TextEncoder().encode("<html></html>"), type: "text/html" }],
      ["app.js", { body: new TextEncoder().encode("//"), type: "text/javascript" }],
    ]),
    lookupRecord: async (recordId) => ({ state: "unknown", recordId }) as RecordStatus,
    redrive: {
      one: async (where): Promise<RedriveAnswer> => {
        redriven.push(where);
        if (where.offset === "9") throw new RedriveRefused("no dead letter at 0/9", 404);
        return { republished: 1, recordIds: ["r1"], note: null };
      },
      reason: async (reason): Promise<RedriveAnswer> => {
        redriven.push(reason);
        return { republished: 2, recordIds: ["a", "b"], note: null };
      },
    },
    sessionSeconds: 60,
  });
  return { app, redriven };
}

async function login(app: ReturnType<typeof consoleApp>["app"]) {
  const response = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: TOKEN }),
  });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrf } = (await response.json()) as { csrf: string };
  return { cookie, csrf };
}

describe("the console's HTTP face", () => {
  it("serves the page to anyone, with a strict content security policy", async () => {
    const { app } = consoleApp();
    const page = await app.request("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect((await app.request("/assets/app.js")).status).toBe(200);
    expect((await app.request("/assets/other.js")).status).toBe(404);
  });

  it("refuses a wrong token, and everything under /api without a session", async () => {
    const { app } = consoleApp();
    const wrong = await app.request("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "nope" }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    for (const path of ["/api/session", "/api/events", "/api/records/r1"])
      expect((await app.request(path)).status, path).toBe(401);
  });

  it("after login: sets an HttpOnly SameSite=Strict cookie and answers record lookups", async () => {
    const { app } = consoleApp();
    const response = await app.request("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(";")[0] ?? "";
    const record = await app.request("/api/records/r%2F1", { headers: { cookie } });
    expect(await record.json()).toEqual({ state: "unknown", recordId: "r/1" });
  });

  it("re-drives only with the session's CSRF header, one dead letter or a reason", async () => {
    const { app, redriven } = consoleApp();
    const { cookie, csrf } = await login(app);
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      app.request("/api/redrive", {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({ reason: "WORKFLOW_FAILED" })).status).toBe(403);
    expect((await post({ reason: "WORKFLOW_FAILED" }, { [CSRF_HEADER]: "forged" })).status).toBe(403);
    expect(redriven).toEqual([]);

    const byReason = await post({ reason: "WORKFLOW_FAILED" }, { [CSRF_HEADER]: csrf });
    expect(await byReason.json()).toMatchObject({ republished: 2, recordIds: ["a", "b"] });
    const one = await post({ partition: 0, offset: "3" }, { [CSRF_HEADER]: csrf });
    expect(await one.json()).toMatchObject({ republished: 1, recordIds: ["r1"] });
    const gone = await post({ partition: 0, offset: "9" }, { [CSRF_HEADER]: csrf });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: "no dead letter at 0/9" });
    expect((await post({ nothing: true }, { [CSRF_HEADER]: csrf })).status).toBe(400);
    expect(redriven).toEqual([
      "WORKFLOW_FAILED",
      { partition: 0, offset: "3" },
      { partition: 0, offset: "9" },
    ]);
  });

  it("logs out: the session no longer opens anything", async () => {
    const { app } = consoleApp();
    const { cookie, csrf } = await login(app);
    // A body-less post counts as a form post: refused unless it comes from this origin.
    const bare = await app.request("/api/logout", {
      method: "POST",
      headers: { cookie, [CSRF_HEADER]: csrf },
    });
    expect(bare.status).toBe(403);
    const out = await app.request("/api/logout", {
      method: "POST",
      headers: { cookie, [CSRF_HEADER]: csrf, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(204);
    expect((await app.request("/api/session", { headers: { cookie } })).status).toBe(401);
  });
});
