import { spawn } from "node:child_process";
import os from "node:os";
import type { ResonateServer } from "@deletion/local-stack";
import type { Broker } from "@deletion/test-kit";
import { round } from "./stats.ts";

/** What a benchmark result names about the machine it ran on (and how busy it was). */
export interface MachineFacts {
  cores: number;
  cpu: string | undefined;
  memoryGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the facts were taken. */
  loadAverage: number[];
  date: string;
}

export function machineFacts(): MachineFacts {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverage: loadAverage(),
    date: new Date().toISOString(),
  };
}

/** The 1, 5 and 15 minute load averages now, to two decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => round(l, 2));
}

export const SHARED_MACHINE =
  "the machine is shared with other work, test suites and builds: the load average says how busy it was";

/** How a result names the broker it ran against. */
export function describeBroker(broker: Broker): string {
  return broker.kind === "kafka"
    ? "the test kit's local Apache Kafka (KRaft, one broker, no Docker)"
    : `${broker.kind} (${broker.bootstrapServers})`;
}

/** The server binary's own `--version`, else the test kit's description of the server. */
export async function serverVersion(server: ResonateServer): Promise<string> {
  const binary = /binary \(([^;]+);/.exec(server.description)?.[1];
  if (!binary) return server.description;
  const child = spawn(binary, ["--version"]);
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((resolve) => child.once("exit", resolve));
  return out.trim() || binary;
}

export interface EnvironmentFacts extends MachineFacts {
  broker: string;
  server: string | undefined;
  shared: string;
}

/** The machine, the broker and the server a result was measured with. */
export async function environmentFacts(
  broker: Broker,
  server: ResonateServer | undefined,
): Promise<EnvironmentFacts> {
  return {
    ...machineFacts(),
    broker: describeBroker(broker),
    server: server
      ? `${await serverVersion(server)}, ${server.kind}, SQLite, default flags (timeouts scanned every 1 s)`
      : undefined,
    shared: SHARED_MACHINE,
  };
}

/** The server's Prometheus endpoint; the test kit's servers always have one. */
export function metricsUrlOf(server: ResonateServer): string {
  if (!server.metricsUrl) throw new Error(`the Resonate server (${server.description}) has no metrics URL`);
  return server.metricsUrl;
}
