import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedResonateBinary, RESONATE_VERSION } from "../bin/provision-resonate.mjs";

export { cachedResonateBinary, RESONATE_VERSION };

import { freePort } from "./free-port.js";
import { hasExited, spawnLogged, tailOf, terminate, waitForExit } from "./java-process.js";
import { readKept, writeKept } from "./kept-settings.js";
import { guardChild } from "./process-guard.js";

export type ResonateServerKind = "external" | "container" | "binary";

export interface ResonateServer {
  kind: ResonateServerKind;
  /** Base URL of the API (what RESONATE_URL names). */
  url: string;
  /** The Prometheus endpoint (`resonate_request_total` per request kind), when known. */
  metricsUrl: string | undefined;
  /** How it was chosen, for the test log. */
  description: string;
  /** False for an external server: it cannot be stopped, killed or restarted from here. */
  controllable: boolean;
  /** The server process's id while a binary runs here (for CPU accounting); else undefined. */
  readonly pid: number | undefined;
  /** Graceful stop (SIGTERM); the storage is kept for start(). */
  stop(): Promise<void>;
  /** SIGKILL; the storage is kept for start(). */
  kill(): Promise<void>;
  /** Starts it again on the same storage and the same ports, once /health answers. */
  start(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): connections stay open and requests get no answer, as from a
   * server that hangs. Binary only; `resume` (SIGCONT) lets it go on where it stopped.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops it for good and deletes its storage. Idempotent. */
  dispose(): Promise<void>;
}

export interface StartResonateServerOptions {
  /** Where RESONATE_URL, RESONATE_SERVER_BIN and the cache folder are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Ignore RESONATE_URL: the caller needs a server it can stop and restart. */
  controllable?: boolean;
  /** How long to wait for /health after a start; default 30 s. */
  startTimeoutMs?: number;
  /** Server log level; default "warn". */
  level?: "debug" | "info" | "warn" | "error";
  /**
   * Start it with --auth-publickey (a server of its own then, never the external one): every
   * request must carry a token signed by the matching private key (see createResonateAuth).
   */
  auth?: { publicKeyPem: string; issuer?: string; audience?: string };
  /**
   * Keep the promises in this PostgreSQL database instead of a temporary SQLite file (binary
   * only). The URL reaches the server through its environment, never its command line.
   */
  postgresUrl?: string;
  /**
   * Binary only: keep its SQLite file and log in this folder across stops and starts (dispose
   * leaves it), on these ports (default: the ones it had last time in this folder, else free).
   */
  dataDir?: string;
  port?: number;
  metricsPort?: number;
}

/** The server's flags for `auth`, the public key given as the file at `keyPath`. */
export function authArgs(auth: StartResonateServerOptions["auth"], keyPath: string): string[] {
  if (!auth) return [];
  return [
    "--auth-publickey",
    keyPath,
    ...(auth.issuer ? ["--auth-iss", auth.issuer] : []),
    ...(auth.audience ? ["--auth-aud", auth.audience] : []),
  ];
}

/** No server binary can be had here; the message says why. */
export class ResonateServerUnavailable extends Error {
  override name = "ResonateServerUnavailable";
}

export function resonateBinaryPath(env: NodeJS.ProcessEnv): { path?: string; problem: string } {
  const named = env.RESONATE_SERVER_BIN?.trim();
  if (named) {
    return existsSync(named)
      ? { path: named, problem: "" }
      : { problem: `RESONATE_SERVER_BIN names ${named}, which does not exist` };
  }
  const cached = cachedResonateBinary(env);
  if (existsSync(cached)) return { path: cached, problem: "" };
  return {
    problem: `no server binary (set RESONATE_SERVER_BIN, or run set-up with RESONATE_SERVER_ARCHIVE=<resonate-${RESONATE_VERSION}-x86_64-linux-gnu.xz> to unpack one into ${cached})`,
  };
}

/** Resolves once GET /health answers 200; rejects when `failed()` says the server is gone. */
export async function waitForHealth(
  url: string,
  timeoutMs: number,
  failed: () => Promise<string | undefined>,
) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const problem = await failed();
    if (problem) throw new Error(problem);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `the Resonate server at ${url} did not answer /health within ${timeoutMs / 1000} s (last: ${last})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const log = (message: string) => console.error(`[local-stack] ${message}`);

/**
 * The pinned release binary (RESONATE_SERVER_BIN, or the one set-up unpacked into the cache) run
 * as `serve`; throws ResonateServerUnavailable when there is none.
 */
export function startLocalResonate(opts: StartResonateServerOptions = {}): Promise<ResonateServer> {
  const binary = resonateBinaryPath(opts.env ?? process.env);
  if (!binary.path)
    return Promise.reject(new ResonateServerUnavailable(`no Resonate server: ${binary.problem}`));
  return startResonateBinary(binary.path, opts);
}

const PORTS_FILE = "ports.json";

async function rememberedPorts(dir: string): Promise<{ port: number; metricsPort: number } | undefined> {
  const kept = await readKept(dir, PORTS_FILE, { port: "number", metricsPort: "number" });
  return kept ? { port: Number(kept.port), metricsPort: Number(kept.metricsPort) } : undefined;
}

export async function startResonateBinary(
  binary: string,
  opts: StartResonateServerOptions,
): Promise<ResonateServer> {
  const env = opts.env ?? process.env;
  const kept = opts.dataDir !== undefined;
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "local-stack-resonate-")));
  if (kept) await mkdir(dir, { recursive: true });
  const removeDir = () => (kept ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
  const logFile = join(dir, "server.log");
  const keyFile = join(dir, "auth-public.pem");
  if (opts.auth) await writeFile(keyFile, opts.auth.publicKeyPem);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  let apiPort = 0;
  let metricsPort = 0;
  let child: ChildProcess | undefined;
  let unguard: (() => void) | undefined;
  let disposed: Promise<void> | undefined;

  const args = () => [
    "serve",
    "--level",
    opts.level ?? "warn",
    "--server-host",
    "127.0.0.1",
    "--server-bind",
    "127.0.0.1",
    "--server-port",
    String(apiPort),
    "--observability-metrics-port",
    String(metricsPort),
    ...(opts.postgresUrl
      ? ["--storage-type", "postgres"]
      : ["--storage-sqlite-path", join(dir, "resonate.db")]),
    ...authArgs(opts.auth, keyFile),
  ];
  const url = () => `http://127.0.0.1:${apiPort}`;

  const launch = async () => {
    const started = spawnLogged(
      binary,
      args(),
      {
        PATH: env.PATH,
        HOME: env.HOME,
        ...(opts.postgresUrl ? { RESONATE_STORAGE__POSTGRES__URL: opts.postgresUrl } : {}),
      },
      logFile,
    );
    let spawnError: Error | undefined;
    started.once("error", (err) => {
      spawnError = err;
    });
    if (started.pid === undefined) {
      await waitForExit(started, 100);
      throw new Error(`could not run ${binary}: ${spawnError?.message ?? "no pid"}`);
    }
    child = started;
    unguard = guardChild(started, kept ? undefined : dir);
    // The server lives as long as its owner keeps running; it must not keep the owner alive.
    started.unref();
    await waitForHealth(url(), timeoutMs, async () =>
      hasExited(started)
        ? `the Resonate server exited during start-up (${started.exitCode ?? started.signalCode}).\n--- ${logFile} ---\n${await tailOf(logFile)}`
        : undefined,
    );
  };

  const halt = async (signal: "SIGTERM" | "SIGKILL") => {
    const running = child;
    child = undefined;
    if (running && !hasExited(running)) {
      if (signal === "SIGKILL") {
        running.kill("SIGKILL");
        await waitForExit(running, 5_000);
      } else {
        await terminate(running, 10_000);
      }
    }
    unguard?.();
    unguard = undefined;
  };

  // Free ports are picked before the server binds them; retry if another process won the race.
  // A kept folder remembers its ports, so RESONATE_URL stays the same across restarts.
  const remembered = kept ? await rememberedPorts(dir) : undefined;
  const fixed = opts.port ?? remembered?.port;
  for (let attempt = 1; ; attempt++) {
    apiPort = fixed ?? (await freePort());
    metricsPort = opts.metricsPort ?? remembered?.metricsPort ?? 0;
    while (metricsPort === 0 || metricsPort === apiPort) metricsPort = await freePort();
    try {
      await launch();
      if (kept) await writeKept(dir, PORTS_FILE, { port: apiPort, metricsPort });
      break;
    } catch (err) {
      await halt("SIGKILL");
      const clash = /address already in use/i.test(err instanceof Error ? err.message : "");
      if (!clash || attempt >= 3 || fixed !== undefined) {
        await removeDir();
        throw err;
      }
    }
  }
  log(
    `resonate: binary ${binary} serving ${url()} (${opts.postgresUrl ? "PostgreSQL" : `SQLite in ${dir}`}${opts.auth ? "; tokens required" : ""})`,
  );

  return {
    kind: "binary",
    get pid() {
      return child && !hasExited(child) ? child.pid : undefined;
    },
    url: url(),
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    description: `binary (${binary}; no RESONATE_URL and no Docker engine)`,
    controllable: true,
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
    start: async () => {
      if (disposed) throw new Error("the Resonate server was disposed");
      if (child && !hasExited(child)) return;
      await launch();
    },
    pause: async () => {
      if (!child || hasExited(child)) throw new Error("the Resonate server is not running");
      child.kill("SIGSTOP");
    },
    resume: async () => {
      if (!child || hasExited(child)) throw new Error("the Resonate server is not running");
      child.kill("SIGCONT");
    },
    dispose: () => {
      disposed ??= halt("SIGTERM").finally(removeDir);
      return disposed;
    },
  };
}
