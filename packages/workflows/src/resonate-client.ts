import { LocalNetwork, type LogLevel, Resonate } from "@resonatehq/sdk";

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
  };
  if (config.url) {
    return { resonate: new Resonate({ ...common, url: config.url }), durability: "server" };
  }
  // The network is passed explicitly: otherwise the SDK would fall back to a RESONATE_URL
  // found in the environment, and configuration is the app's job, not the SDK's.
  const network = new LocalNetwork({ pid: config.pid, group: config.group });
  return { resonate: new Resonate({ ...common, network }), durability: "in-process" };
}
