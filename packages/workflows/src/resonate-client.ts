import {
  LocalNetwork,
  type Logger,
  type LogLevel,
  Resonate,
  ResonateTimeoutException,
} from "@resonatehq/sdk";

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
  /** Structured logger for the SDK's own lines (pino fits); default: the SDK's console logger. */
  logger?: Logger;
}

/**
 * "server": promises live in the Resonate server and outlive this process.
 * "in-process": promises live in this process's memory and die with it.
 */
export type Durability = "server" | "in-process";

export interface ResonateClient {
  resonate: Resonate;
  durability: Durability;
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
    return { resonate: new Resonate({ ...common, url: config.url }), durability: "server" };
  }
  // The network is passed explicitly: otherwise the SDK would fall back to a RESONATE_URL
  // found in the environment, and configuration is the app's job, not the SDK's.
  const network = new LocalNetwork({ pid: config.pid, group: config.group });
  return { resonate: new Resonate({ ...common, network }), durability: "in-process" };
}

/**
 * Whether the Resonate server answers. Looking up a promise that does not exist is a cheap
 * round trip: any protocol answer (found or not) means reachable; a network failure does not.
 */
export async function probeResonate(client: ResonateClient): Promise<boolean> {
  if (client.durability === "in-process") return true;
  try {
    await client.resonate.promises.get("readiness-probe");
    return true;
  } catch (error) {
    return !(error instanceof ResonateTimeoutException);
  }
}
