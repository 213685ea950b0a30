import {
  authArgs,
  freePort,
  type StartResonateServerOptions as LocalServerOptions,
  RESONATE_VERSION,
  type ResonateServer,
  ResonateServerUnavailable,
  resonateBinaryPath,
  startResonateBinary,
  waitForHealth,
} from "@deletion/local-stack";
import { dockerUnavailable } from "./docker.js";

export interface StartResonateServerOptions extends LocalServerOptions {
  /** Skip Docker detection and use this kind. */
  kind?: "container" | "binary";
  /** How long to wait for a Docker engine to answer; default 5 s. */
  dockerTimeoutMs?: number;
}

/** The image of the same release as the binary; pinned because newer builds break the SDK. */
export const RESONATE_IMAGE = `ghcr.io/resonatehq/resonate:${RESONATE_VERSION}`;

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

  const binary = resonateBinaryPath(env);
  if (!binary.path) {
    throw new ResonateServerUnavailable(
      `no Resonate server: RESONATE_URL is ${external ? "set but a controllable server was asked for" : "not set"}, no Docker engine (${dockerProblem}), and ${binary.problem}`,
    );
  }
  return startResonateBinary(binary.path, opts);
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
