import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export interface Session {
  id: string;
  /** Sent back in the CSRF header by every state-changing request. */
  csrf: string;
  expiresAt: number;
}

export interface SessionsOptions {
  /** The secret a person logs in with. */
  token: string;
  ttlMs: number;
  /** Sessions kept at most; the oldest is dropped past it, so logins cannot grow memory. */
  maxSessions: number;
  now: () => number;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Logins with the console token and the sessions they open (in memory: a restart logs everyone out). */
export class Sessions {
  readonly #tokenDigest: Buffer;
  readonly #sessions = new Map<string, Session>();
  readonly #options: SessionsOptions;

  constructor(options: SessionsOptions) {
    this.#options = options;
    this.#tokenDigest = digest(options.token);
  }

  /** A new session when `token` is the console token; compared in constant time. */
  login(token: string): Session | undefined {
    if (!timingSafeEqual(digest(token), this.#tokenDigest)) return undefined;
    const session: Session = {
      id: randomBytes(32).toString("base64url"),
      csrf: randomBytes(32).toString("base64url"),
      expiresAt: this.#options.now() + this.#options.ttlMs,
    };
    this.#sessions.set(session.id, session);
    while (this.#sessions.size > this.#options.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    return session;
  }

  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#options.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  logout(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  /** The CSRF header matches the session's token. */
  csrfMatches(session: Session, header: string | undefined): boolean {
    return header !== undefined && timingSafeEqual(digest(header), digest(session.csrf));
  }
}
