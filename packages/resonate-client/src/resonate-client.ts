import { LOG_EVENTS } from "@deletion/contracts";
import {
  ConsoleLogger,
  type Logger,
  type LogLevel,
  Resonate,
  ResonateTimeoutException,
} from "@resonatehq/sdk";
import { CompactingLocalNetwork, DEFAULT_FINISHED_KEPT } from "./compacting-local-network.js";
import { GuardedHttpNetwork } from "./guarded-network.js";
import { HeartbeatWatch } from "./heartbeat-watch.js";
import { LocalRunEnds } from "./local-run-ends.js";
import { type PayloadCipher, PLAINTEXT_PAYLOADS } from "./payload-encryption.js";
import { SealingNetwork, unreadableGuard } from "./sealing-network.js";
import type { ResonateHealth, ServerGuardOptions } from "./server-guard.js";
import { TaskCreateOutcomes } from "./task-create-outcomes.js";

export interface ResonateClientConfig {
  /** A Resonate server's URL; without one the SDK's in-process network is used. */
  url?: string | undefined;
  /** Worker group: the server routes tasks of this group to any of its members. */
  group: string;
  /** This process's identity towards the server (must be unique per live worker). */
  pid: string;
  /** How long a claimed task stays ours without a heartbeat before another worker may take it. */
  ttlMs: number;
  logLevel?: LogLevel;
  /**
   * Structured logger for the SDK's own lines and for reports about the server (pino fits);
   * default: the SDK's console logger.
   */
  logger?: Logger;
  /**
   * In-process network only: finished workflows whose outcome stays known to this process
   * (default DEFAULT_FINISHED_KEPT); see CompactingLocalNetwork.
   */
  inProcessFinishedKept?: number;
  /** Bearer token for a server that checks them (server mode only; never read from the environment). */
  token?: string | undefined;
  /**
   * Seals the promise params and values the SDK stores, each for its promise id, and opens those
   * it reads (both modes; see sealing-network.ts); default plain. Hand the same cipher to
   * registerDeletionWorkflow for the values it reads outside the SDK.
   */
  payloads?: PayloadCipher | undefined;
  /** How a server that keeps failing is waited for and reported (defaults: 1 s doubling to 30 s; 30 s). */
  serverBackoff?: Pick<ServerGuardOptions, "initialDelayMs" | "maxDelayMs" | "reportEveryMs">;
}

/**
 * "server": promises live in the Resonate server and outlive this process.
 * "in-process": promises live in this process's memory and die with it.
 */
export type Durability = "server" | "in-process";

export interface ResonateClient {
  resonate: Resonate;
  durability: Durability;
  /** How requests to the server fare right now; always healthy with the in-process network. */
  health(): ResonateHealth;
  /** The widest gap between two acknowledged heartbeats of one held task so far (0 in-process). */
  heartbeatGapMaxMs(): number;
  /**
   * Server mode: how each task.create was answered, so a start can be sent before any lookup
   * (see DeletionRuntimeOptions.taskCreates). Absent in-process, where a lookup costs nothing.
   */
  taskCreates?: TaskCreateOutcomes;
  /**
   * Server mode: how workflows this process runs itself end, so following them costs no listener
   * (see DeletionRuntimeOptions.localRuns). Absent in-process, where a listener costs nothing.
   */
  localRuns?: LocalRunEnds;
}

/** How long the SDK waits for one answer from the server (its HttpNetwork default). */
export const RESONATE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The heartbeat rule: a live worker keeps its tasks when ttl/2 > request timeout + scheduling
 * slack, at least 30 s with the SDK's 10 s timeout. Why: docs/decisions/task-ttl-rule.md
 */
export function minimumTaskTtlMs(requestTimeoutMs = RESONATE_REQUEST_TIMEOUT_MS, slackMs = 5_000): number {
  return 2 * (requestTimeoutMs + slackMs);
}

export const DEFAULT_TASK_TTL_MS = minimumTaskTtlMs();

export function createResonateClient(config: ResonateClientConfig): ResonateClient {
  const common = {
    group: config.group,
    pid: config.pid,
    ttl: config.ttlMs,
    logLevel: config.logLevel ?? "warn",
    // Values are sealed and opened by the network (SealingNetwork), where their promise id is known.
    encryptor: unreadableGuard,
    ...(config.logger ? { logger: config.logger } : {}),
  };
  const payloads = config.payloads ?? PLAINTEXT_PAYLOADS;
  if (config.url) {
    const logger = config.logger ?? new ConsoleLogger(common.logLevel);
    if (config.ttlMs < minimumTaskTtlMs()) {
      logger.warn(
        { event: LOG_EVENTS.ttlBelowRule, ttlMs: config.ttlMs, minimumMs: minimumTaskTtlMs() },
        "the task TTL is shorter than the heartbeat rule asks for: under load a live worker can lose its tasks to another, which then repeats their steps",
      );
    }
    const watch = new HeartbeatWatch(config.ttlMs, logger);
    const taskCreates = new TaskCreateOutcomes();
    const localRuns = new LocalRunEnds();
    // Not `url:`: given a network, Resonate runs the same heartbeat as with a URL.
    // Why: docs/decisions/guarded-network.md
    const network = new GuardedHttpNetwork({
      url: config.url,
      group: config.group,
      pid: config.pid,
      logger,
      timeoutMs: RESONATE_REQUEST_TIMEOUT_MS,
      token: config.token,
      onHeartbeat: (taskIds) => watch.acknowledged(taskIds),
      taskCreates,
      localRuns,
      // The SDK's own rhythm for the tasks it heartbeats itself (heartbeat.js: every ttl / 2).
      createdTaskHeartbeatMs: config.ttlMs / 2,
      ...(config.serverBackoff ? { backoff: config.serverBackoff } : {}),
    });
    return {
      resonate: new Resonate({ ...common, network: new SealingNetwork(network, payloads) }),
      durability: "server",
      health: () => network.guard.health(),
      heartbeatGapMaxMs: () => watch.maxGapMs,
      taskCreates,
      localRuns,
    };
  }
  // The network is passed explicitly: otherwise the SDK would fall back to a RESONATE_URL
  // found in the environment, and configuration is the app's job, not the SDK's.
  const network = new CompactingLocalNetwork({
    pid: config.pid,
    group: config.group,
    keepFinished: config.inProcessFinishedKept ?? DEFAULT_FINISHED_KEPT,
  });
  return {
    resonate: new Resonate({ ...common, network: new SealingNetwork(network, payloads) }),
    durability: "in-process",
    health: () => ({ state: "healthy", url: "in-process" }),
    heartbeatGapMaxMs: () => 0,
  };
}

const probing = new WeakMap<ResonateClient, Promise<boolean>>();

/**
 * Whether the Resonate server answers a lookup of `promiseId` (one of ours: a scoped token reads
 * nothing else); found or not, any protocol answer means reachable. One lookup at a time: a probe
 * asked for meanwhile joins it. It also lets an idle worker's guard notice a recovery.
 */
export function probeResonate(client: ResonateClient, promiseId: string): Promise<boolean> {
  if (client.durability === "in-process") return Promise.resolve(true);
  const running = probing.get(client);
  if (running) return running;
  const probe = client.resonate.promises
    .get(promiseId)
    .then(
      () => true,
      (error: unknown) => !(error instanceof ResonateTimeoutException),
    )
    .finally(() => probing.delete(client));
  probing.set(client, probe);
  return probe;
}
