import { createHmac } from "node:crypto";
import { RecordIdSchema } from "@deletion/contracts";
import { z } from "zod";

/**
 * Promise ids are global on a Resonate server, so ours are namespaced: `<prefix>/<recordId>` for
 * a record's first deletion attempt, `<prefix>/<recordId>/attempt-<n>` for the n-th (the SDK
 * refuses ':' in a root id; '/' is plain). With an id key, a keyed hash of the record id
 * (HMAC-SHA-256) stands in its place, so the server never holds record ids in the clear.
 */
export const DEFAULT_PROMISE_PREFIX = "deletion";

export const PROMISE_PREFIX_MAX_LENGTH = 64;

/** One or more segments of letters, digits and . _ -, joined by '/' (e.g. "deletion", "acme/deletion"). */
export const PROMISE_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export const PromisePrefixSchema = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(PROMISE_PREFIX_MAX_LENGTH, { error: `must be at most ${PROMISE_PREFIX_MAX_LENGTH} characters` })
  .regex(PROMISE_PREFIX_PATTERN, {
    error:
      "must be segments of letters, digits and . _ - (each starting with a letter or digit) joined by '/'; no ':' (Resonate reserves it)",
  });

/** Bytes of the HMAC kept: 128 bits, far beyond any collision among record ids. */
const KEYED_ID_BYTES = 16;
const KEYED_ID = /^[A-Za-z0-9_-]{22}$/;
export const PROMISE_ID_KEY_MIN_BYTES = 32;

const ATTEMPT_SUFFIX = /^attempt-([1-9][0-9]*)$/;

export interface AttemptId {
  /** The record id; with an id key, its keyed hash (the record id is not in the promise id). */
  recordId: string;
  /** 1 for the first deletion attempt of a record, n for the n-th. */
  attempt: number;
}

/** Derives and parses the promise ids of one prefix. */
export class PromiseIds {
  readonly prefix: string;
  /**
   * What the readiness probe looks up: under the prefix (a token scoped to it may read nothing
   * else), and never a record's (a record id cannot start with '_').
   */
  readonly probeId: string;

  /** Whether ids carry a keyed hash of the record id instead of the id. */
  readonly keyed: boolean;
  private readonly idKey: Buffer | undefined;

  constructor(prefix: string = DEFAULT_PROMISE_PREFIX, options: { idKey?: Buffer | undefined } = {}) {
    this.prefix = PromisePrefixSchema.parse(prefix);
    this.probeId = `${this.prefix}/_readiness-probe`;
    if (options.idKey && options.idKey.length < PROMISE_ID_KEY_MIN_BYTES)
      throw new RangeError(`the promise id key must be at least ${PROMISE_ID_KEY_MIN_BYTES} bytes`);
    this.idKey = options.idKey;
    this.keyed = options.idKey !== undefined;
  }

  /** What stands for the record in its promise ids: the id itself, or its keyed hash. */
  segmentOf(recordId: string): string {
    if (!this.idKey) return recordId;
    return createHmac("sha256", this.idKey)
      .update(recordId, "utf8")
      .digest()
      .subarray(0, KEYED_ID_BYTES)
      .toString("base64url");
  }

  /** The promise id of a record's n-th deletion attempt. */
  of(recordId: string, attempt: number): string {
    if (!Number.isInteger(attempt) || attempt < 1)
      throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
    const base = `${this.prefix}/${this.segmentOf(recordId)}`;
    return attempt === 1 ? base : `${base}/attempt-${attempt}`;
  }

  /**
   * The record and attempt behind one of our promise ids; undefined for any other id. With an id
   * key, `recordId` is the keyed hash: the record id itself is read from the promise's param
   * and checked by computing its id again.
   */
  parse(promiseId: string): AttemptId | undefined {
    const head = `${this.prefix}/`;
    if (!promiseId.startsWith(head)) return undefined;
    const [recordId, suffix, ...rest] = promiseId.slice(head.length).split("/");
    const fits = this.keyed ? KEYED_ID.test(recordId ?? "") : RecordIdSchema.safeParse(recordId).success;
    if (rest.length > 0 || !fits) return undefined;
    if (suffix === undefined) return { recordId: recordId as string, attempt: 1 };
    const n = ATTEMPT_SUFFIX.exec(suffix)?.[1];
    // attempt-1 is never minted (attempt 1 has no suffix): accepting it would give one attempt two ids.
    if (n === undefined || n === "1") return undefined;
    return { recordId: recordId as string, attempt: Number(n) };
  }
}
