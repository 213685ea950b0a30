import { LOG_EVENTS } from "@deletion/contracts";
import { type Logger, ResonateTimeoutException } from "@resonatehq/sdk";

/** Key of the failure that blocks every kind: no answer at all (refused connection, timeout). */
const UNREACHABLE = "*";

export type ResonateHealth =
  | { state: "healthy"; url: string }
  | {
      state: "failing";
      url: string;
      /** The request kind of the latest failure ("*" when the server was not reachable). */
      kind: string;
      /** The HTTP status; absent when the server did not answer. */
      status?: number;
      /** The server's reason, or why there was no answer. */
      error: string;
      /** When this kind started failing (ISO-8601). */
      since: string;
      failures: number;
      /** How long the next request of this kind waits before it is sent. */
      retryInMs: number;
      /** Every kind failing now. */
      failingKinds: string[];
    };

export interface ServerGuardOptions {
  url: string;
  logger: Logger;
  /** First wait after a failure; doubles with every failed retry. Default 1 s. */
  initialDelayMs?: number;
  /** Cap of that wait. Default 30 s. */
  maxDelayMs?: number;
  /** At most one log line per kind of failure (request kind and status) this often. Default 30 s. */
  reportEveryMs?: number;
}

/** Which failures a request was let through to test (it is their one retry in flight). */
export interface Admission {
  readonly trials: readonly string[];
}

interface Failure {
  kind: string;
  status: number | undefined;
  error: string;
  since: number;
  lastAt: number;
  failures: number;
  delayMs: number;
  nextAttemptAt: number;
  /** A request is on its way as this failure's retry; the others wait for its answer. */
  trial: boolean;
}

/**
 * Backoff, health and reporting for one Resonate server, by request kind: while a kind fails,
 * one request at a time is let through after 1 s doubling to 30 s. It waits rather than fails
 * fast, which the SDK would turn into an immediate retry. Why: docs/decisions/guarded-network.md
 */
export class ServerGuard {
  readonly url: string;
  private readonly logger: Logger;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly reportEveryMs: number;
  private readonly failing = new Map<string, Failure>();
  private readonly reported = new Map<string, { at: number; suppressed: number }>();
  private changed = Promise.withResolvers<void>();
  private stopped = false;

  constructor(options: ServerGuardOptions) {
    this.url = options.url;
    this.logger = options.logger;
    this.initialDelayMs = options.initialDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.reportEveryMs = options.reportEveryMs ?? 30_000;
  }

  /**
   * Resolves when a request of `kind` may be sent. With `wait: false` (periodic requests such
   * as heartbeats, where the next one comes anyway) it throws instead of queueing.
   */
  async admit(kind: string, { wait = true }: { wait?: boolean } = {}): Promise<Admission> {
    for (;;) {
      if (this.stopped) throw new ResonateTimeoutException("the Resonate client is stopping");
      const blocking = [this.failing.get(UNREACHABLE), this.failing.get(kind)].filter(
        (f): f is Failure => f !== undefined,
      );
      if (blocking.length === 0) return { trials: [] };
      const now = Date.now();
      const busy = blocking.some((f) => f.trial);
      const dueInMs = Math.max(...blocking.map((f) => f.nextAttemptAt - now));
      if (!busy && dueInMs <= 0) {
        for (const f of blocking) f.trial = true;
        return { trials: blocking.map((f) => f.kind) };
      }
      if (!wait) {
        const latest = blocking[blocking.length - 1] as Failure;
        throw new ResonateTimeoutException(`${this.describe(latest)}; not sent while backing off`);
      }
      await this.waitForChange(busy ? undefined : dueInMs);
    }
  }

  /** A normal protocol answer: this kind works, and the server is reachable. */
  succeeded(kind: string, admission: Admission): void {
    const wasFailing = this.failing.size > 0;
    const cleared = [this.failing.get(kind), this.failing.get(UNREACHABLE)].filter(
      (f): f is Failure => f !== undefined,
    );
    this.failing.delete(kind);
    this.failing.delete(UNREACHABLE);
    this.release(admission);
    if (wasFailing && this.failing.size === 0) {
      const since = Math.min(...cleared.map((f) => f.since));
      this.report(
        "recovered",
        () => [
          {
            event: LOG_EVENTS.resonateRecovered,
            url: this.url,
            kinds: cleared.map((f) => f.kind),
            failures: cleared.reduce((n, f) => n + f.failures, 0),
            failingForMs: Number.isFinite(since) ? Date.now() - since : undefined,
          },
          `Resonate server ${this.url} accepts requests again`,
        ],
        "info",
      );
    }
    this.notify();
  }

  /** The server answered, but not with anything the SDK can use. */
  refused(kind: string, admission: Admission, status: number, error: string): void {
    this.failing.delete(UNREACHABLE); // it answered
    this.record(kind, status, error, admission);
  }

  /** No answer: the connection failed or the request timed out. */
  unreachable(kind: string, admission: Admission, error: string): void {
    this.record(UNREACHABLE, undefined, `${error} (on ${kind})`, admission);
  }

  health(): ResonateHealth {
    // A kind nobody has retried for a while says nothing about the server any more.
    const staleBefore = Date.now() - 2 * this.maxDelayMs;
    const current = [...this.failing.values()].filter((f) => f.lastAt >= staleBefore);
    if (current.length === 0) return { state: "healthy", url: this.url };
    const latest = current.reduce((a, b) => (b.lastAt > a.lastAt ? b : a));
    return {
      state: "failing",
      url: this.url,
      kind: latest.kind,
      ...(latest.status !== undefined ? { status: latest.status } : {}),
      error: latest.error,
      since: new Date(latest.since).toISOString(),
      failures: latest.failures,
      retryInMs: Math.max(0, latest.nextAttemptAt - Date.now()),
      failingKinds: current.map((f) => f.kind),
    };
  }

  /** Rejects every waiting request; used when the client stops. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  private record(key: string, status: number | undefined, error: string, admission: Admission): void {
    const now = Date.now();
    let failure = this.failing.get(key);
    if (!failure) {
      failure = {
        kind: key,
        status,
        error,
        since: now,
        lastAt: now,
        failures: 0,
        delayMs: this.initialDelayMs,
        nextAttemptAt: now,
        trial: false,
      };
      this.failing.set(key, failure);
    } else if (admission.trials.includes(key)) {
      // Only a retry that was let through doubles the wait: requests sent before the first
      // failure was known fail together and count once.
      failure.delayMs = Math.min(failure.delayMs * 2, this.maxDelayMs);
    }
    failure.status = status;
    failure.error = error;
    failure.lastAt = now;
    failure.failures++;
    failure.nextAttemptAt = now + failure.delayMs;
    this.release(admission);
    const f = failure;
    const unreachable = key === UNREACHABLE;
    this.report(`${key} ${status ?? ""}`, (suppressed) => [
      {
        event: unreachable ? LOG_EVENTS.resonateUnreachable : LOG_EVENTS.resonateRefused,
        url: this.url,
        kind: f.kind,
        ...(status !== undefined ? { status } : {}),
        error,
        failures: f.failures,
        suppressed,
        since: new Date(f.since).toISOString(),
        retryInMs: f.delayMs,
      },
      `${this.describe(f)}; backing off ${f.delayMs} ms${suppressed > 0 ? ` (${suppressed} more like it since the last report)` : ""}`,
    ]);
    this.notify();
  }

  private describe(f: Failure): string {
    return f.kind === UNREACHABLE
      ? `Resonate server ${this.url} unreachable: ${f.error}`
      : `Resonate server ${this.url} refused ${f.kind} with HTTP ${f.status}: ${f.error}`;
  }

  /** One line per `key` every reportEveryMs; the ones in between are counted, not logged. */
  private report(
    key: string,
    line: (suppressed: number) => [Record<string, unknown>, string],
    level: "error" | "info" = "error",
  ): void {
    const now = Date.now();
    const last = this.reported.get(key);
    if (last && now - last.at < this.reportEveryMs) {
      last.suppressed++;
      return;
    }
    const [fields, message] = line(last?.suppressed ?? 0);
    this.logger[level](fields, message);
    this.reported.set(key, { at: now, suppressed: 0 });
  }

  private release(admission: Admission): void {
    for (const key of admission.trials) {
      const f = this.failing.get(key);
      if (f) f.trial = false;
    }
  }

  private notify(): void {
    this.changed.resolve();
    this.changed = Promise.withResolvers<void>();
  }

  private async waitForChange(ms: number | undefined): Promise<void> {
    const { promise } = this.changed;
    if (ms === undefined) return promise;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}
