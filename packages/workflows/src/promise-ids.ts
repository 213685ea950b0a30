import { RecordIdSchema } from "@deletion/contracts";
import { z } from "zod";

/**
 * Promise ids are global on a Resonate server: every application using it shares one id space.
 * So ours are namespaced, `<prefix>/<recordId>` for a record's first deletion attempt and
 * `<prefix>/<recordId>/attempt-<n>` for the n-th (a retry after a failed deletion). A record id
 * never contains '/', so the attempt suffix cannot be mistaken for part of it.
 *
 * What the SDK and server allow: the SDK rejects a root id that is empty, holds a NUL byte or a
 * ':' (ids.js validateRootId: ':' separates a root from the ids of its steps); '/' and '.' are
 * plain characters to both. Checked against server v0.9.8: workflows under
 * `deletion/<id>/attempt-<n>` run, sleep, resume and dedupe like bare ids.
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

const ATTEMPT_SUFFIX = /^attempt-([1-9][0-9]*)$/;

export interface AttemptId {
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

  constructor(prefix: string = DEFAULT_PROMISE_PREFIX) {
    this.prefix = PromisePrefixSchema.parse(prefix);
    this.probeId = `${this.prefix}/_readiness-probe`;
  }

  /** The promise id of a record's n-th deletion attempt. */
  of(recordId: string, attempt: number): string {
    if (!Number.isInteger(attempt) || attempt < 1)
      throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
    const base = `${this.prefix}/${recordId}`;
    return attempt === 1 ? base : `${base}/attempt-${attempt}`;
  }

  /** The record and attempt behind one of our promise ids; undefined for any other id. */
  parse(promiseId: string): AttemptId | undefined {
    const head = `${this.prefix}/`;
    if (!promiseId.startsWith(head)) return undefined;
    const [recordId, suffix, ...rest] = promiseId.slice(head.length).split("/");
    if (rest.length > 0 || !RecordIdSchema.safeParse(recordId).success) return undefined;
    if (suffix === undefined) return { recordId: recordId as string, attempt: 1 };
    const n = ATTEMPT_SUFFIX.exec(suffix)?.[1];
    // attempt-1 is never minted (attempt 1 has no suffix): accepting it would give one attempt two ids.
    if (n === undefined || n === "1") return undefined;
    return { recordId: recordId as string, attempt: Number(n) };
  }
}
