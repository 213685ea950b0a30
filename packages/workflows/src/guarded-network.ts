import { LOG_EVENTS } from "@deletion/contracts";
import {
  type HttpAdapter,
  isResponse,
  type Logger,
  type Message,
  type Network,
  PollMessageSource,
  type Request as ResonateRequest,
  type Response as ResonateResponse,
  ResonateTimeoutException,
  type Send,
} from "@resonatehq/sdk";
import { CreatedTaskHeartbeat } from "./created-task-heartbeat.js";
import { type HttpTransport, keepAliveTransport, type TransportAnswer } from "./http-transport.js";
import { explainAuthRefusal } from "./resonate-token.js";
import { type TaskCreateOutcomes, taskCreateOutcome, taskCreatePromiseId } from "./task-create-outcomes.js";

/*
 * Why this file exists. SDK 0.11.5 turns any answer outside its protocol statuses (an HTTP 400,
 * say) into a ResonateTimeoutException that keeps neither the status nor the server's reason,
 * and some of its paths retry that without any pause: a failed task.fence (or task.fulfill)
 * makes Core release the task, the server hands the released task straight back, the SDK
 * acquires it and fences again (core.js executeUntilBlocked -> releaseTask; util.js sendFenced).
 * Against an unreleased server build that answered task.fence with 400 that was about 1.6
 * million requests in 5 minutes, no workflow finished, and the worker said nothing useful.
 * So in server mode every request goes through this network: it sees each answer, backs off
 * (per request kind) while a kind keeps failing, reports why at a bounded rate, and tells
 * /readyz. Everything else is the SDK's own: the same poll adapter and the same request and
 * response handling as its HttpNetwork in `url:` mode.
 */

/**
 * HTTP statuses the SDK's HttpNetwork returns to its caller as protocol answers (http.js,
 * PROTOCOL_STATUSES); anything else it throws as a platform failure. A unit test checks this
 * copy against the SDK's so an upgrade cannot drift from it silently.
 */
export const SDK_PROTOCOL_STATUSES: ReadonlySet<number> = new Set([200, 300, 404, 409, 422, 501]);

/**
 * Of those, the ones that are normal answers: 404 (no such promise or task), 409 (already
 * exists, or the task moved on), 422 (not allowed in the current state). 501 is passed on as
 * the SDK would, but counts as a refusal: a server that does not implement a request the
 * worker sends is one it cannot work with, and the SDK would loop on it like on a 400.
 */
const NORMAL_STATUSES: ReadonlySet<number> = new Set([200, 300, 404, 409, 422]);

/** Key of the failure that blocks every kind: no answer at all (refused connection, timeout). */
const UNREACHABLE = "*";

/** The longest server reason quoted in a log line or /readyz. */
const MAX_REASON = 300;

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
 * Backoff, health and reporting for one Resonate server, by request kind. While a kind fails,
 * its requests wait and one at a time is let through after the current delay (1 s, 2 s, ...,
 * 30 s); a success of that kind lets all of them go at once. A server that does not answer at
 * all holds back every kind the same way. Waiting, not failing fast, is the point: the SDK
 * would turn a fast failure into an immediate retry.
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

export interface GuardedHttpNetworkOptions {
  url: string;
  group: string;
  pid: string;
  logger: Logger;
  /** Per request, as the SDK's HttpNetwork (its default: 10 s). */
  timeoutMs?: number;
  /** Bearer token for a server started with --auth-publickey; sent with every request and the poll. */
  token?: string | undefined;
  backoff?: Pick<ServerGuardOptions, "initialDelayMs" | "maxDelayMs" | "reportEveryMs">;
  /** Where tasks and notifications arrive; default the SDK's poll (SSE) adapter, as in `url:` mode. */
  adapter?: HttpAdapter;
  /** How requests reach the server; default keepAliveTransport() (see http-transport.ts). */
  transport?: HttpTransport;
  /** Told how every task.create was answered (see TaskCreateOutcomes). */
  taskCreates?: TaskCreateOutcomes;
  /** Heartbeats the tasks beginRun creates, which the SDK does not (see created-task-heartbeat.ts). */
  createdTaskHeartbeatMs?: number;
  /** Told the task ids of every heartbeat the server acknowledged (see HeartbeatWatch). */
  onHeartbeat?: (taskIds: readonly string[]) => void;
}

/**
 * The SDK's HTTP network (same requests, same answers, same poll adapter as `url:` mode)
 * with a ServerGuard in front of every request. Passed to `new Resonate({ network })`, which
 * then runs the same heartbeat (every ttl/2) as it does with a URL.
 */
export class GuardedHttpNetwork implements Network {
  readonly guard: ServerGuard;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly adapter: HttpAdapter;
  private readonly transport: HttpTransport;
  private readonly token: string | undefined;
  private readonly onHeartbeat: ((taskIds: readonly string[]) => void) | undefined;
  private readonly taskCreates: TaskCreateOutcomes | undefined;
  private readonly createdTasks: CreatedTaskHeartbeat | undefined;

  constructor(options: GuardedHttpNetworkOptions) {
    this.onHeartbeat = options.onHeartbeat;
    this.taskCreates = options.taskCreates;
    this.createdTasks =
      options.createdTaskHeartbeatMs !== undefined
        ? new CreatedTaskHeartbeat(options.pid, options.createdTaskHeartbeatMs, this.send)
        : undefined;
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.transport = options.transport ?? keepAliveTransport();
    this.token = options.token;
    this.guard = new ServerGuard({ url: options.url, logger: options.logger, ...options.backoff });
    this.adapter =
      options.adapter ??
      new PollMessageSource({
        url: `${options.url}/poll/${encodeURIComponent(options.group)}/${encodeURIComponent(options.pid)}`,
        logger: options.logger,
        ...(options.token ? { token: options.token } : {}),
      });
  }

  get unicast(): string {
    return this.adapter.unicast;
  }

  get anycast(): string {
    return this.adapter.anycast;
  }

  match(target: string): string {
    return this.adapter.match(target);
  }

  init(): Promise<void> {
    return this.adapter.init();
  }

  async stop(): Promise<void> {
    this.createdTasks?.stop();
    this.guard.stop();
    await this.adapter.stop();
  }

  recv(callback: (msg: Message) => void): void {
    this.adapter.onReceive(callback);
  }

  // An arrow property, as in HttpNetwork: Resonate keeps `network.send` unbound.
  readonly send: Send = (req) => this.exchange(req) as Promise<never>;

  private async exchange(req: ResonateRequest): Promise<ResonateResponse> {
    const kind = req.kind;
    this.createdTasks?.sending(req);
    // Heartbeats come again every ttl/2; queueing them behind a backoff only piles them up.
    const admission = await this.guard.admit(kind, { wait: kind !== "task.heartbeat" });
    let answer: TransportAnswer;
    try {
      // As the SDK's HttpNetwork: the server reads the envelope's head.auth; the header is for
      // whatever sits in between (a proxy, a gateway).
      answer = await this.transport(this.url, {
        headers: {
          "content-type": "application/json",
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: JSON.stringify(this.token ? { ...req, head: { ...req.head, auth: this.token } } : req),
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      const error = describeFetchError(err);
      this.guard.unreachable(kind, admission, error);
      throw new ResonateTimeoutException(`${this.url} unreachable on ${kind}: ${error}`);
    }

    const refuse: (status: number, error: string) => never = (status, error) => {
      this.guard.refused(kind, admission, status, error);
      throw new ResonateTimeoutException(`${this.url} refused ${kind} with HTTP ${status}: ${error}`);
    };
    const { status, text } = answer;
    if (!SDK_PROTOCOL_STATUSES.has(status)) {
      const why = explainAuthRefusal(status, this.token, req);
      refuse(status, why ? `${serverReason(text)}: ${why}` : serverReason(text));
    }
    const json = answer.contentType?.includes("application/json") ?? false;
    // HttpNetwork's test for a server too old for this SDK (or no Resonate server at all).
    if (status === 404 && !json) refuse(status, `not a Resonate server answer: ${clip(text) || "(empty)"}`);
    let res: unknown;
    try {
      res = JSON.parse(text);
    } catch {
      refuse(status, `answer is not JSON: ${clip(text) || "(empty)"}`);
    }
    if (!isResponse(res) || res.kind !== req.kind || res.head.corrId !== req.head.corrId) {
      refuse(status, `answer does not match the request: ${clip(text)}`);
    }
    const response = res as ResonateResponse;
    if (status === 200 && req.kind === "task.heartbeat") this.onHeartbeat?.(req.data.tasks.map((t) => t.id));
    this.createdTasks?.observe(req, status, response);
    const created = taskCreatePromiseId(req);
    if (created !== undefined) this.taskCreates?.answered(created, taskCreateOutcome(req, status, response));
    if (NORMAL_STATUSES.has(status)) this.guard.succeeded(kind, admission);
    else this.guard.refused(kind, admission, status, serverReason(text));
    return response;
  }
}

/** The server's reason from its error answer (`{"kind":..,"head":..,"data":"<reason>"}`). */
function serverReason(text: string): string {
  try {
    const body = JSON.parse(text) as { data?: unknown };
    if (typeof body.data === "string") return clip(body.data);
    if (body.data !== undefined) return clip(JSON.stringify(body.data));
  } catch {}
  return clip(text) || "(empty body)";
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > MAX_REASON ? `${t.slice(0, MAX_REASON)}…` : t;
}

/** The reason (ECONNREFUSED, ...): node:http puts it on the error, fetch in its cause. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const own = (err as { code?: unknown }).code;
  if (typeof own === "string") return `${err.message} (${own})`;
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = cause ? String(cause.code ?? cause.message ?? "") : "";
  return detail ? `${err.message} (${detail})` : err.message;
}
