import { randomUUID } from "node:crypto";
import { type HttpTransport, keepAliveTransport } from "./http-transport.js";

/**
 * The protocol version the SDK puts in every request's head; the SDK does not export it, and a
 * unit test holds this copy equal to it. Why: docs/decisions/protocol-version.md
 */
export const PROTOCOL_VERSION = "2026-04-01";

export interface ServerRequestsOptions {
  /** Per request; default 3 s. */
  timeoutMs?: number | undefined;
  /** Bearer token for a server that checks them. */
  token?: string | undefined;
  /** Default keepAliveTransport(): the same client as the worker's requests (http-transport.ts). */
  transport?: HttpTransport | undefined;
}

/** The server's answer: the protocol status from its head (else the HTTP status) and its data. */
export interface ServerAnswer {
  status: number;
  data: unknown;
}

/** Sends one protocol request; rejects only when no answer came (see HttpTransport). */
export type ServerRequest = (kind: string, data: unknown) => Promise<ServerAnswer>;

/**
 * Requests outside the SDK (status reads, searches) in the SDK's own envelope, so a server that
 * checks tokens or versions treats them as it treats the workers'.
 */
export function serverRequests(url: string, options: ServerRequestsOptions = {}): ServerRequest {
  const { token, timeoutMs = 3_000 } = options;
  const transport = options.transport ?? keepAliveTransport(4);
  return async (kind, data) => {
    const answer = await transport(url, {
      body: JSON.stringify({
        kind,
        head: { corrId: randomUUID(), version: PROTOCOL_VERSION, ...(token ? { auth: token } : {}) },
        data,
      }),
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      timeoutMs,
    });
    let body: { head?: { status?: number }; data?: unknown } | undefined;
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      body = undefined;
    }
    return {
      status: body?.head?.status ?? answer.status,
      data: body?.data ?? (body ? undefined : answer.text),
    };
  };
}
