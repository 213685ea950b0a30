import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HttpEndpoints {
  /** Readiness with details, served as JSON: 200 when ready, 503 when not. */
  readiness: () => { ready: boolean } & Record<string, unknown>;
  registry: Registry;
  /**
   * GET /status/<recordId>: where the record's deletion stands, as JSON with the HTTP status the
   * answer calls for. Absent: 404.
   */
  status?: (recordId: string) => Promise<{ httpStatus: number; body: unknown }>;
  /**
   * GET /status/bulk/<bulkId>: where a bulk deletion stands (its totals, rate, ETA), as JSON,
   * behind the same bearer token. A record id cannot contain '/', so the path names no record.
   */
  bulkStatus?: (bulkId: string) => Promise<{ httpStatus: number; body: unknown }>;
  /**
   * The bearer token GET /status/<recordId> requires (`Authorization: Bearer <token>`). Without
   * one, /status is off (404): its answers name records and read decrypted promise data.
   */
  statusToken?: string;
  /**
   * The promise-id namespace: in /readyz, anything that looks like `<prefix>/<id...>` (a promise
   * id in an error the Resonate server gave) is shown as `<prefix>/…`, so the open endpoints
   * never name a record.
   */
  promisePrefix?: string;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Whether the request carries the token, compared in constant time (digests of equal length). */
function bearerMatches(req: IncomingMessage, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match !== null && timingSafeEqual(sha256(match[1] as string), expected);
}

/** A JSON value with every `<prefix>/...` promise id cut to `<prefix>/…`. */
function withoutPromiseIds(value: unknown, prefix: string | undefined): unknown {
  if (!prefix) return value;
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ids = new RegExp(`${escaped}/[^\\s"',;)]+`, "g");
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" ? v.replace(ids, `${prefix}/…`) : v,
  );
}

/** Where a bulk's status is served: /status/bulk/<bulkId>. */
export const BULK_STATUS_PATH = "/status/bulk/";

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz: the process answers. /readyz: it can do work. /metrics: Prometheus text format.
 * These three are open (probes, scrapers) and name no record. /status/<recordId>: a record's
 * deletion status, /status/bulk/<bulkId>: a bulk's (both read-only), only with the configured
 * bearer token.
 */
export async function startHttpServer(port: number, endpoints: HttpEndpoints): Promise<RunningHttpServer> {
  const statusTokenDigest = endpoints.statusToken ? sha256(endpoints.statusToken) : undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (path === "/readyz") {
      const readiness = endpoints.readiness();
      res
        .writeHead(readiness.ready ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify(withoutPromiseIds(readiness, endpoints.promisePrefix)));
      return;
    }
    if (path === "/metrics") {
      endpoints.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": endpoints.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    const statusOf = endpoints.status;
    if (statusOf && statusTokenDigest && path?.startsWith("/status/")) {
      if (!bearerMatches(req, statusTokenDigest)) {
        res
          .writeHead(401, {
            "content-type": "application/json",
            "www-authenticate": 'Bearer realm="deletor-worker status"',
          })
          .end(JSON.stringify({ error: "GET /status needs the status bearer token" }));
        return;
      }
      const bulkOf = endpoints.bulkStatus;
      const isBulk = bulkOf !== undefined && path.startsWith(BULK_STATUS_PATH);
      let id: string;
      try {
        id = decodeURIComponent(path.slice(isBulk ? BULK_STATUS_PATH.length : "/status/".length));
      } catch {
        res.writeHead(400).end();
        return;
      }
      (isBulk ? bulkOf(id) : statusOf(id)).then(
        ({ httpStatus, body }) =>
          res.writeHead(httpStatus, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (err: unknown) =>
          res
            .writeHead(500, { "content-type": "application/json" })
            .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
      );
      return;
    }
    if (statusOf && path?.startsWith("/status/")) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: "GET /status is off: no status token is configured" }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
