import type { RecordStatus } from "@deletion/deletion-status";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { LiveHub } from "./live-hub.js";
import { RedriveRefused } from "./redrive-actions.js";
import type { Session, Sessions } from "./sessions.js";
import {
  type BulkSubmitAnswer,
  type BulkSubmitRequest,
  BulkSubmitRequestSchema,
  CSRF_HEADER,
  type RedriveAnswer,
  RedriveRequestSchema,
} from "./view.js";

/** The built page: file name -> its bytes and content type. */
export type Assets = ReadonlyMap<string, { body: Uint8Array; type: string }>;

export interface ConsoleAppOptions {
  sessions: Sessions;
  hub: LiveHub;
  assets: Assets;
  lookupRecord: (recordId: string) => Promise<RecordStatus>;
  redrive: {
    one(where: { partition: number; offset: string }): Promise<RedriveAnswer>;
    reason(reason: string): Promise<RedriveAnswer>;
  };
  /** Bulk submission and cancel; absent when the bulk topics are not there. */
  bulk?: {
    submit(request: BulkSubmitRequest): Promise<BulkSubmitAnswer>;
    cancel(
      bulkId: string,
      restore: boolean,
    ): Promise<{ ok: true; alreadyRequested: boolean } | { ok: false; reason: string }>;
  };
  /** Seconds a login lasts (the cookie's Max-Age). */
  sessionSeconds: number;
  /** Keep-alive comment interval on the event stream, so proxies do not close an idle one. */
  keepAliveMs?: number;
}

const SESSION_COOKIE = "console_session";
const CancelSchema = z.object({ restore: z.boolean().default(false) });
const LoginSchema = z.object({ token: z.string().min(1).max(4096) });

type Env = { Variables: { session: Session } };

/**
 * The console's HTTP face: the page, login, the live event stream and the actions. Everything
 * under /api but login needs a session cookie (HttpOnly, SameSite=Strict); every POST but login
 * also needs the session's CSRF token in a header, which another site's page cannot read or send.
 */
export function createConsoleApp(options: ConsoleAppOptions): Hono<Env> {
  const { sessions } = options;
  const app = new Hono<Env>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: "no-referrer",
    }),
  );
  // Refuses form posts from other origins (the Origin header must be this one).
  app.use(csrf());

  const page =
    (name: string) => (c: { body: (b: Uint8Array, s: 200, h: Record<string, string>) => Response }) => {
      const asset = options.assets.get(name);
      if (!asset) throw new Error(`the page's ${name} is missing from the build`);
      return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache" });
    };
  app.get("/", (c) => page("index.html")(c));
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name");
    if (name === "index.html" || !options.assets.has(name)) return c.notFound();
    return page(name)(c);
  });

  app.post("/api/login", async (c) => {
    const body = LoginSchema.safeParse(await c.req.json().catch(() => undefined));
    const session = body.success ? sessions.login(body.data.token) : undefined;
    if (!session) return c.json({ error: "wrong token" }, 401);
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: options.sessionSeconds,
    });
    return c.json({ csrf: session.csrf });
  });

  app.use("/api/*", async (c, next) => {
    const session = sessions.find(getCookie(c, SESSION_COOKIE));
    if (!session) return c.json({ error: "log in first" }, 401);
    if (c.req.method !== "GET" && !sessions.csrfMatches(session, c.req.header(CSRF_HEADER)))
      return c.json({ error: `missing or wrong ${CSRF_HEADER} header` }, 403);
    c.set("session", session);
    await next();
  });

  app.get("/api/session", (c) => c.json({ csrf: c.get("session").csrf }));

  app.post("/api/logout", (c) => {
    sessions.logout(c.get("session").id);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });

  app.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      const closed = Promise.withResolvers<void>();
      const remove = options.hub.add({ send: (data) => stream.writeSSE({ event: "snapshot", data }) });
      stream.onAbort(() => closed.resolve());
      const keepAlive = setInterval(() => {
        void stream.write(": keep-alive\n\n").catch(() => closed.resolve());
      }, options.keepAliveMs ?? 15_000);
      await closed.promise;
      clearInterval(keepAlive);
      remove();
    }),
  );

  app.get("/api/records/:id", async (c) => {
    const recordId = c.req.param("id");
    return c.json(await options.lookupRecord(recordId));
  });

  app.post("/api/redrive", async (c) => {
    const body = RedriveRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success)
      return c.json({ error: "give { partition, offset } of one dead letter or { reason }" }, 400);
    try {
      const answer =
        "reason" in body.data
          ? await options.redrive.reason(body.data.reason)
          : await options.redrive.one(body.data);
      return c.json(answer);
    } catch (error) {
      if (error instanceof RedriveRefused) return c.json({ error: error.message }, error.status);
      throw error;
    }
  });

  app.post("/api/bulks", async (c) => {
    if (!options.bulk)
      return c.json({ error: "bulk deletion is off: its request topic does not exist" }, 404);
    const body = BulkSubmitRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success)
      return c.json(
        { error: `give { selector, params } or { ids }: ${body.error.issues[0]?.message ?? ""}` },
        400,
      );
    return c.json(await options.bulk.submit(body.data));
  });

  app.post("/api/bulks/:id/cancel", async (c) => {
    if (!options.bulk)
      return c.json({ error: "bulk deletion is off: its request topic does not exist" }, 404);
    const body = CancelSchema.safeParse(await c.req.json().catch(() => ({})));
    const result = await options.bulk.cancel(c.req.param("id"), body.success ? body.data.restore : false);
    return result.ok ? c.json(result) : c.json({ error: result.reason }, 502);
  });

  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.json({ error: error.message }, 500),
  );
  return app;
}
