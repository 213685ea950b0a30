import { z } from "zod";

/*
 * The bearer token the Resonate server checks (server v0.9.8, src/auth.rs). Each request carries
 * it in the envelope (`head.auth`); the poll stream in its Authorization header. The server
 * verifies signature and expiry (401 "Unauthorized" when either fails, or when there is no
 * token), then, unless the token's `role` is "admin", that the request's resource id starts
 * with its `prefix` claim (403 "Forbidden"; an empty prefix allows every id, a missing one none,
 * and searches are refused to any non-empty prefix). Its answers say no more than that, so the
 * worker reads its own token (unverified: the server is the authority) to say which it was.
 */

export interface TokenClaims {
  /** Absent: the claim is missing; null: it is null (both refuse every id unless admin). */
  prefix?: string | null | undefined;
  role?: string | undefined;
  /** Expiry, seconds since the epoch. */
  exp?: number | undefined;
}

const ClaimsSchema = z.object({
  prefix: z.string().nullable().optional(),
  role: z.string().optional(),
  exp: z.number().optional(),
});

/** The claims a token states about itself; undefined when it cannot be read as a JWT. */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const parsed = ClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a token allows, for a start-up line: never the token itself. */
export function describeToken(token: string): {
  prefix: string | null | undefined;
  role: string | undefined;
  expiresAt: string | undefined;
} {
  const claims = readTokenClaims(token);
  return {
    prefix: claims?.prefix,
    role: claims?.role,
    expiresAt: claims?.exp !== undefined ? new Date(claims.exp * 1000).toISOString() : undefined,
  };
}

const isAdmin = (claims: TokenClaims) => claims.role?.toLowerCase() === "admin";

/**
 * Why a token will be refused for promise ids under `${promisePrefix}/`, as far as the token
 * itself tells; undefined when it looks fine. Only the server can check the signature.
 */
export function tokenScopeProblem(
  token: string,
  promisePrefix: string,
  now = Date.now(),
): string | undefined {
  const claims = readTokenClaims(token);
  if (!claims) return "the token's claims cannot be read (not a JWT with a JSON payload)";
  if (claims.exp === undefined) return "the token has no exp claim, which the server requires";
  if (claims.exp * 1000 <= now) return `the token expired at ${new Date(claims.exp * 1000).toISOString()}`;
  if (isAdmin(claims)) return undefined;
  if (claims.prefix === undefined || claims.prefix === null)
    return "the token has no prefix claim (and is not an admin's): the server allows it no promise";
  if (!`${promisePrefix}/`.startsWith(claims.prefix))
    return `the token's prefix "${claims.prefix}" does not cover this worker's promise ids (${promisePrefix}/...)`;
  return undefined;
}

/** The id the server checks a request against (auth.rs extract_resource_id); "" for searches. */
export function requestResourceId(kind: string, data: unknown): string | undefined {
  const d = (data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  switch (kind) {
    case "promise.search":
    case "task.search":
    case "schedule.search":
      return "";
    case "promise.register_callback":
    case "promise.register_listener":
      return str(d.awaited);
    case "schedule.create":
      return str(d.promiseId);
    case "task.create":
      return str(
        ((d.action as Record<string, unknown> | undefined)?.data as Record<string, unknown> | undefined)?.id,
      );
    case "task.heartbeat":
      return undefined;
    default:
      return str(d.id);
  }
}

/**
 * What a 401 or 403 from the server means for this request and this token (the server's answer
 * is only "Unauthorized" or "Forbidden").
 */
export function explainAuthRefusal(
  status: number,
  token: string | undefined,
  request: { kind: string; data?: unknown },
  now = Date.now(),
): string | undefined {
  if (status !== 401 && status !== 403) return undefined;
  if (token === undefined) return "no token was sent, and the server requires one";
  const claims = readTokenClaims(token);
  if (status === 401) {
    if (claims?.exp !== undefined && claims.exp * 1000 <= now)
      return `the token expired at ${new Date(claims.exp * 1000).toISOString()}`;
    return "the server did not accept the token (its signature, issuer or audience, or it expired)";
  }
  if (!claims) return "the token's claims cannot be read";
  if (claims.prefix === undefined || claims.prefix === null)
    return "the token has no prefix claim and no admin role";
  const heartbeat =
    request.kind === "task.heartbeat" ? (request.data as { tasks?: unknown }).tasks : undefined;
  const id = Array.isArray(heartbeat)
    ? heartbeat
        .map((t) => (t as { id?: unknown }).id)
        .find((t): t is string => typeof t === "string" && !t.startsWith(claims.prefix as string))
    : requestResourceId(request.kind, request.data);
  if (id === "") return `a token scoped to the prefix "${claims.prefix}" may not search (${request.kind})`;
  if (id !== undefined && !id.startsWith(claims.prefix))
    return `the token's prefix "${claims.prefix}" does not cover ${id}`;
  return `the token's prefix is "${claims.prefix}"`;
}
