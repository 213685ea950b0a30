import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedResonateBinary, RESONATE_VERSION } from "../bin/provision-resonate.mjs";
import { dockerUnavailable } from "./docker.js";
import { freePort } from "./free-port.js";
import { hasExited, spawnLogged, tailOf, terminate, waitForExit } from "./java-process.js";
import { readKept, writeKept } from "./kept-settings.js";
import { guardChild } from "./process-guard.js";

/** The image of the same release as the binary; pinned because newer builds break the SDK. */
export const RESONATE_IMAGE = `ghcr.io/resonatehq/resonate:${RESONATE_VERSION}`;

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
  /** Skip Docker detection and use the binary. */
  kind?: "container" | "binary";
  /** How long to wait for a Docker engine to answer; default 5 s. */
  dockerTimeoutMs?: number;
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
function authArgs(auth: StartResonateServerOptions["auth"], keyPath: string): string[] {
  if (!auth) return [];
  return [
    "--auth-publickey",
    keyPath,
    ...(auth.issuer ? ["--auth-iss", auth.issuer] : []),
    ...(auth.audience ? ["--auth-aud", auth.audience] : []),
  ];
}

/** No server can be had here; the message says why, for tests that must skip by name. */
export class ResonateServerUnavailable extends Error {
  override name = "ResonateServerUnavailable";
}

const log = (message: string) => console.error(`[test-kit] ${message}`);

/**
 * A Resonate server for tests: the one named by RESONATE_URL if set; else the pinned image
 * through Testcontainers when a Docker engine answers; else the pinned release binary
 * (RESONATE_SERVER_BIN, or the one set-up unpacked into the cache) run as `serve` with a
 * temporary SQLite file on free ports. Throws ResonateServerUnavailable when none of these
 * exists; any other error is a server that failed to start.
 */
export async function startResonateServer(opts: StartResonateServerOptions = {}): Promise<ResonateServer> {
  const env = opts.env ?? process.env;
  const external = env.RESONATE_URL?.trim();
  if (external && !opts.controllable && !opts.auth && opts.kind === undefined) {
    return externalServer(external.replace(/\/+$/, ""));
  }

  let dockerProblem = "";
  if (opts.kind !== "binary") {
    dockerProblem = opts.kind === "container" ? "" : await dockerUnavailable(opts.dockerTimeoutMs ?? 5_000);
    if (!dockerProblem) return startContainer(opts);
  }

  const binary = binaryPath(env);
  if (!binary.path) {
    throw new ResonateServerUnavailable(
      `no Resonate server: RESONATE_URL is ${external ? "set but a controllable server was asked for" : "not set"}, no Docker engine (${dockerProblem}), and ${binary.problem}`,
    );
  }
  return startBinary(binary.path, opts);
}

function binaryPath(env: NodeJS.ProcessEnv): { path?: string; problem: string } {
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

function externalServer(url: string): ResonateServer {
  const refuse = () =>
    Promise.reject(new Error(`the external Resonate server at ${url} is not controlled here`));
  return {
    kind: "external",
    url,
    metricsUrl: undefined,
    description: `external (RESONATE_URL=${url} is set)`,
    controllable: false,
    pid: undefined,
    stop: refuse,
    kill: refuse,
    start: refuse,
    pause: refuse,
    resume: refuse,
    dispose: async () => {},
  };
}

/** Resolves once GET /health answers 200; rejects when `failed()` says the server is gone. */
async function waitForHealth(url: string, timeoutMs: number, failed: () => Promise<string | undefined>) {
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

const PORTS_FILE = "ports.json";

async function rememberedPorts(dir: string): Promise<{ port: number; metricsPort: number } | undefined> {
  const kept = await readKept(dir, PORTS_FILE, { port: "number", metricsPort: "number" });
  return kept ? { port: Number(kept.port), metricsPort: Number(kept.metricsPort) } : undefined;
}

async function startBinary(binary: string, opts: StartResonateServerOptions): Promise<ResonateServer> {
  const env = opts.env ?? process.env;
  const kept = opts.dataDir !== undefined;
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "test-kit-resonate-")));
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

/**
 * The pinned image through Testcontainers, on fixed free host ports so a restarted container
 * keeps its URL. Stop, kill and start act on the same container (its SQLite file survives).
 */
async function startContainer(opts: StartResonateServerOptions): Promise<ResonateServer> {
  // Loaded lazily: testcontainers is large and most runs here never need it.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const started = await new GenericContainer(RESONATE_IMAGE)
    .withCommand([
      "serve",
      "--level",
      opts.level ?? "warn",
      "--server-bind",
      "0.0.0.0",
      "--server-port",
      "8001",
      "--observability-metrics-port",
      "9090",
      "--storage-sqlite-path",
      "/var/lib/resonate/resonate.db",
      ...authArgs(opts.auth, "/etc/resonate/auth-public.pem"),
    ])
    .withCopyContentToContainer(
      opts.auth ? [{ content: opts.auth.publicKeyPem, target: "/etc/resonate/auth-public.pem" }] : [],
    )
    .withExposedPorts({ container: 8001, host: apiPort }, { container: 9090, host: metricsPort })
    .withWaitStrategy(Wait.forHttp("/health", 8001).forStatusCode(200))
    .start();
  const url = `http://${started.getHost()}:${apiPort}`;
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.getId());
  log(`resonate: container ${RESONATE_IMAGE} serving ${url}`);
  let disposed: Promise<void> | undefined;
  return {
    kind: "container",
    url,
    metricsUrl: `http://${started.getHost()}:${metricsPort}/metrics`,
    description: `container (${RESONATE_IMAGE}; a Docker engine answered)`,
    controllable: true,
    pid: undefined,
    pause: () => Promise.reject(new Error("pausing is not supported for a server in a container")),
    resume: () => Promise.reject(new Error("pausing is not supported for a server in a container")),
    stop: () => container.stop({ t: 10 }).then(() => {}),
    kill: () => container.kill().then(() => {}),
    start: async () => {
      await container.start();
      await waitForHealth(url, opts.startTimeoutMs ?? 30_000, async () => undefined);
    },
    dispose: () => {
      disposed ??= started.stop().then(() => {});
      return disposed;
    },
  };
}
