import { createServer, type Server } from "node:http";
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
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz: the process answers. /readyz: it can do work. /metrics: Prometheus text format.
 * /status/<recordId>: a record's deletion status (read-only).
 */
export async function startHttpServer(port: number, endpoints: HttpEndpoints): Promise<RunningHttpServer> {
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
        .end(JSON.stringify(readiness));
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
    if (statusOf && path?.startsWith("/status/")) {
      let recordId: string;
      try {
        recordId = decodeURIComponent(path.slice("/status/".length));
      } catch {
        res.writeHead(400).end();
        return;
      }
      statusOf(recordId).then(
        ({ httpStatus, body }) =>
          res.writeHead(httpStatus, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (err: unknown) =>
          res
            .writeHead(500, { "content-type": "application/json" })
            .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
      );
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
