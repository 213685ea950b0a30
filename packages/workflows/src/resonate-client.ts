import {
  ConsoleLogger,
  LocalNetwork,
  type Logger,
  type LogLevel,
  Resonate,
  ResonateTimeoutException,
} from "@resonatehq/sdk";
import { GuardedHttpNetwork, type ResonateHealth, type ServerGuardOptions } from "./guarded-network.js";

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
}

export function createResonateClient(config: ResonateClientConfig): ResonateClient {
  const common = {
    group: config.group,
    pid: config.pid,
    ttl: config.ttlMs,
    logLevel: config.logLevel ?? "warn",
    ...(config.logger ? { logger: config.logger } : {}),
  };
  if (config.url) {
    // Not `url:`: the SDK's own HTTP network retries some refused requests without pause and
    // hides why they were refused (see guarded-network.ts). Given a network, Resonate runs the
    // same heartbeat as with a URL.
    const network = new GuardedHttpNetwork({
      url: config.url,
      group: config.group,
      pid: config.pid,
      logger: config.logger ?? new ConsoleLogger(common.logLevel),
      ...(config.serverBackoff ? { backoff: config.serverBackoff } : {}),
    });
    return {
      resonate: new Resonate({ ...common, network }),
      durability: "server",
      health: () => network.guard.health(),
    };
  }
  // The network is passed explicitly: otherwise the SDK would fall back to a RESONATE_URL
  // found in the environment, and configuration is the app's job, not the SDK's.
  const network = new LocalNetwork({ pid: config.pid, group: config.group });
  return {
    resonate: new Resonate({ ...common, network }),
    durability: "in-process",
    health: () => ({ state: "healthy", url: "in-process" }),
  };
}

const probing = new WeakMap<ResonateClient, Promise<boolean>>();

/**
 * Whether the Resonate server answers. Looking up a promise that does not exist is a cheap
 * round trip: any protocol answer (found or not) means reachable; a network failure or a
 * refusal does not. It also gives an idle worker's guard a request to notice a recovery by.
 * One lookup at a time: while the server fails, the lookup waits its turn behind the backoff,
 * and a probe asked for meanwhile joins it instead of queueing another.
 */
export function probeResonate(client: ResonateClient): Promise<boolean> {
  if (client.durability === "in-process") return Promise.resolve(true);
  const running = probing.get(client);
  if (running) return running;
  const probe = client.resonate.promises
    .get("readiness-probe")
    .then(
      () => true,
      (error: unknown) => !(error instanceof ResonateTimeoutException),
    )
    .finally(() => probing.delete(client));
  probing.set(client, probe);
  return probe;
}
