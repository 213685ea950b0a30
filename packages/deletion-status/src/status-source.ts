import {
  explainAuthRefusal,
  openStoredPromise,
  type PayloadCipher,
  PLAINTEXT_PAYLOADS,
  type StoredPromise,
  serverRequests,
} from "@deletion/resonate-client";

/** A promise as a status read sees it; settledAt is when the server settled it. */
export interface StatusPromise extends StoredPromise {
  settledAt?: number | undefined;
  tags?: Record<string, string> | undefined;
}

export interface PromiseSearch {
  tags?: Record<string, string>;
  state?: "pending" | "resolved" | "rejected";
  limit: number;
  cursor?: string | undefined;
}

/** Reads promises; get answers undefined for an id with none. Throws ResonateUnreachableError. */
export interface StatusSource {
  /** Where the promises are read, for messages ("http://resonate:8001", "the in-process network"). */
  readonly where: string;
  get(promiseId: string): Promise<StatusPromise | undefined>;
  /** Absent when the network cannot search (the in-process one). */
  search?(query: PromiseSearch): Promise<{ promises: StatusPromise[]; cursor?: string | undefined }>;
}

/** The Resonate server did not answer (refused, timed out, or answered with an error). */
export class ResonateUnreachableError extends Error {
  override readonly name: string = "ResonateUnreachableError";
}

/** The Resonate server answered, with an error status (say 403: the token may not do this). */
export class ResonateRefusedError extends ResonateUnreachableError {
  override readonly name = "ResonateRefusedError";
  constructor(
    message: string,
    readonly kind: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A source over a plain lookup (the in-process network): no search, so no batch progress. */
export function lookupStatusSource(
  lookup: (promiseId: string) => Promise<StoredPromise | undefined>,
  where: string,
): StatusSource {
  return { where, get: lookup };
}

export interface HttpStatusSourceOptions {
  /** Per request; default 3 s. */
  timeoutMs?: number | undefined;
  /** Bearer token for a server that checks them (as the worker's). */
  token?: string | undefined;
  /** Opens encrypted params and values (the workers' keys); default plain. */
  payloads?: PayloadCipher | undefined;
}

/** Reads promises from a Resonate server over its HTTP API, through the project's one server client. */
export function httpStatusSource(url: string, options: HttpStatusSourceOptions = {}): StatusSource {
  const base = url.replace(/\/+$/, "");
  const { token, timeoutMs = 3_000, payloads = PLAINTEXT_PAYLOADS } = options;
  const send = serverRequests(base, { token, timeoutMs });
  const call = async (kind: string, data: unknown): Promise<{ status: number; body: unknown }> => {
    try {
      const answer = await send(kind, data);
      return { status: answer.status, body: answer.data };
    } catch (error) {
      const cause = (error as { code?: string; cause?: { code?: string; message?: string } }).cause;
      const why =
        (error as { code?: string }).code ??
        cause?.code ??
        cause?.message ??
        (error instanceof Error ? error.message : String(error));
      throw new ResonateUnreachableError(`the Resonate server at ${base} is unreachable (${why})`);
    }
  };
  const refused = (kind: string, data: unknown, status: number, body: unknown) => {
    const why = explainAuthRefusal(status, token, { kind, data });
    return new ResonateRefusedError(
      `the Resonate server at ${base} answered ${kind} with ${status}${typeof body === "string" ? `: ${body}` : ""}${why ? ` (${why})` : ""}`,
      kind,
      status,
    );
  };
  return {
    where: `the Resonate server at ${base}`,
    async get(promiseId) {
      const data = { id: promiseId };
      const { status, body } = await call("promise.get", data);
      if (status === 404) return undefined;
      if (status !== 200) throw refused("promise.get", data, status, body);
      return openStoredPromise((body as { promise: StatusPromise }).promise, payloads);
    },
    async search(query) {
      const data = {
        ...(query.tags ? { tags: query.tags } : {}),
        ...(query.state ? { state: query.state } : {}),
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      };
      const { status, body } = await call("promise.search", data);
      if (status !== 200) throw refused("promise.search", data, status, body);
      const page = body as { promises?: StatusPromise[]; cursor?: string };
      return {
        promises: (page.promises ?? []).map((p) => openStoredPromise(p, payloads)),
        cursor: page.cursor,
      };
    },
  };
}
