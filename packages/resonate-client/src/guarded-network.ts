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
import type { LocalRunEnds } from "./local-run-ends.js";
import { explainAuthRefusal } from "./resonate-token.js";
import { ServerGuard, type ServerGuardOptions } from "./server-guard.js";
import { type TaskCreateOutcomes, taskCreateOutcome, taskCreatePromiseId } from "./task-create-outcomes.js";

// The SDK hides why the server refused a request and resends some refused ones at once, so in
// server mode every request passes a per-kind backoff that reports the reason.
// Why: docs/decisions/guarded-network.md

/**
 * HTTP statuses the SDK's HttpNetwork passes on as protocol answers; anything else it throws.
 * A unit test holds this copy equal to the SDK's.
 */
export const SDK_PROTOCOL_STATUSES: ReadonlySet<number> = new Set([200, 300, 404, 409, 422, 501]);

/**
 * Of those, the normal answers. 501 is passed on but counts as a refusal: the SDK would loop on
 * a request the server does not implement as it does on a 400.
 */
const NORMAL_STATUSES: ReadonlySet<number> = new Set([200, 300, 404, 409, 422]);

/**
 * Checkpoints, sent again when they get no answer: failing them would make the SDK give the task
 * up and another worker repeat a finished step. Why: docs/decisions/checkpoint-resend.md
 */
const CHECKPOINTS: ReadonlySet<string> = new Set(["task.fence", "task.fulfill"]);

/** The longest server reason quoted in a log line or /readyz. */
const MAX_REASON = 300;

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
  /** Told how workflows this process runs itself end (see LocalRunEnds). */
  localRuns?: LocalRunEnds;
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
  private readonly localRuns: LocalRunEnds | undefined;

  constructor(options: GuardedHttpNetworkOptions) {
    this.localRuns = options.localRuns;
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
    this.localRuns?.sending(req);
    // Heartbeats come again every ttl/2; queueing them behind a backoff only piles them up.
    const wait = kind !== "task.heartbeat";
    let admission = await this.guard.admit(kind, { wait });
    let answer: TransportAnswer;
    // As the SDK's HttpNetwork: the server reads the envelope's head.auth; the header is for
    // whatever sits in between (a proxy, a gateway).
    const body = JSON.stringify(this.token ? { ...req, head: { ...req.head, auth: this.token } } : req);
    for (;;) {
      try {
        answer = await this.transport(this.url, {
          headers: {
            "content-type": "application/json",
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body,
          timeoutMs: this.timeoutMs,
        });
        break;
      } catch (err) {
        const error = describeFetchError(err);
        this.guard.unreachable(kind, admission, error);
        if (CHECKPOINTS.has(kind)) {
          // Waits out the backoff like any request, and throws once the client is stopping.
          admission = await this.guard.admit(kind, { wait });
          continue;
        }
        this.localRuns?.failed(req);
        throw new ResonateTimeoutException(`${this.url} unreachable on ${kind}: ${error}`);
      }
    }

    const refuse: (status: number, error: string) => never = (status, error) => {
      this.localRuns?.failed(req);
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
    dropFencePreload(response);
    if (status === 200 && req.kind === "task.heartbeat") this.onHeartbeat?.(req.data.tasks.map((t) => t.id));
    this.createdTasks?.observe(req, status, response);
    this.localRuns?.observe(req, status, response);
    const created = taskCreatePromiseId(req);
    if (created !== undefined) this.taskCreates?.answered(created, taskCreateOutcome(req, status, response));
    if (NORMAL_STATUSES.has(status)) this.guard.succeeded(kind, admission);
    else this.guard.refused(kind, admission, status, serverReason(text));
    return response;
  }
}

/**
 * Empties a task.fence answer's preload, which the SDK would decode again on every step; a running
 * execution already holds those promises. Why: docs/decisions/fence-preload.md
 */
function dropFencePreload(response: ResonateResponse): void {
  if (response.kind !== "task.fence") return;
  const data = (response as { data?: { preload?: unknown } }).data;
  if (data && Array.isArray(data.preload) && data.preload.length > 0) data.preload = [];
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
