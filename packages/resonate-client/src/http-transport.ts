import http from "node:http";
import https from "node:https";

/** One POST to the Resonate server and its whole answer. */
export interface TransportRequest {
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface TransportAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

/**
 * Sends one request; rejects only when no answer came (refused connection, reset, timeout). The
 * timeout runs from when the request has a connection, not while it waits for one.
 */
export type HttpTransport = (url: string, request: TransportRequest) => Promise<TransportAnswer>;

/**
 * Requests to the server at the same time, at most: the server answers no faster beyond it.
 * Why: docs/decisions/keep-alive-transport.md
 */
export const DEFAULT_MAX_CONNECTIONS = 64;

/**
 * node:http with kept-alive, bounded connections; not the global fetch, which costs the worker
 * far more CPU per request. Why: docs/decisions/keep-alive-transport.md
 */
export function keepAliveTransport(maxConnections = DEFAULT_MAX_CONNECTIONS): HttpTransport {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: maxConnections }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: maxConnections }),
  };
  // Parsed once per URL: a worker sends thousands of requests a second to the same one.
  const targets = new Map<string, URL>();
  const send = (url: string, request: TransportRequest, retried: boolean): Promise<TransportAnswer> => {
    let target = targets.get(url);
    if (!target) {
      target = new URL(url);
      targets.set(url, target);
    }
    const client = target.protocol === "https:" ? https : http;
    const agent = target.protocol === "https:" ? agents["https:"] : agents["http:"];
    return new Promise<TransportAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = () => clearTimeout(timer);
      const req = client.request(
        target,
        {
          method: "POST",
          agent,
          headers: { ...request.headers, "content-length": Buffer.byteLength(request.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => {
            settle();
            reject(error);
          });
          res.on("end", () => {
            settle();
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers["content-type"],
              text: Buffer.concat(chunks).toString("utf8"),
            });
          });
        },
      );
      // The clock starts at the connection: a request queued for one was never seen by the server.
      req.once("socket", () => {
        timer = setTimeout(() => req.destroy(new TransportTimeout(request.timeoutMs)), request.timeoutMs);
      });
      req.on("error", (error: Error & { code?: string }) => {
        settle();
        // A kept-alive connection the server had closed never read this request: send it once
        // more on a new one (Node's advice for `reusedSocket`), not report the server unreachable.
        if (req.reusedSocket && error.code === "ECONNRESET" && !retried) {
          send(url, request, true).then(resolve, reject);
          return;
        }
        reject(error);
      });
      req.end(request.body);
    });
  };
  return (url, request) => send(url, request, false);
}

class TransportTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TransportTimeout";
  }
}

/** A transport over a fetch function (tests hand in fake servers this way). */
export function fetchTransport(fetchFn: typeof globalThis.fetch): HttpTransport {
  return async (url, request) => {
    const answer = await fetchFn(url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return {
      status: answer.status,
      contentType: answer.headers.get("content-type") ?? undefined,
      text: await answer.text(),
    };
  };
}
