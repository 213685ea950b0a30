import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  isProvisioned,
  javaCommand,
  kafkaDir,
  kafkaVersion,
  provisionKafka,
} from "../bin/provision-kafka.mjs";
import { freePort } from "./free-port.js";
import { hasExited, runToCompletion, spawnJava, tailOf, terminate, waitForExit } from "./java-process.js";
import { type LogLevel, log4j2Properties, type PropertyValue, serverProperties } from "./kafka-config.js";
import { probeApiVersions } from "./kafka-probe.js";
import { readKept, writeKept } from "./kept-settings.js";
import { guardChild } from "./process-guard.js";
import { type AuthorizerOptions, prepareSecuredKafka, type SecuredKafka } from "./secured-kafka.js";

export interface LocalKafkaOptions {
  /** Broker (client) port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** KRaft controller port; always a free one unless given. */
  controllerPort?: number;
  /** Reads BATCH_DELETION_CACHE / XDG_CACHE_HOME / HOME / JAVA_HOME; also the JVM's env. */
  env?: NodeJS.ProcessEnv;
  /** Fetch the jars with Maven when they are not cached (default true). */
  provision?: boolean;
  /** Default 60 s: covers a cold JVM on a busy 2-core machine several times over. */
  startTimeoutMs?: number;
  /** Default 10 s before SIGTERM escalates to SIGKILL. */
  stopTimeoutMs?: number;
  /** JVM max heap, default "512m". */
  heap?: string;
  /** Root log level of the broker log, default WARN. */
  logLevel?: LogLevel;
  /** Where the broker log goes; default inside the temp dir, which stop() deletes. */
  logFile?: string;
  /** Extra or overriding server.properties entries. */
  brokerProperties?: Record<string, PropertyValue>;
  /**
   * Keep the broker's data (and its ports) in this folder across stops and starts, instead of a
   * temp dir that stop() deletes: a broker started again on the same folder has its topics,
   * messages and committed offsets back. Not with `secured`.
   */
  dataDir?: string;
  /**
   * Also listen with SASL_SSL (SCRAM) and with mutual TLS, with a CA, certificates and users
   * made for this run (see SecuredKafka). The plaintext listener stays the bootstrap server.
   */
  secured?: boolean;
  /**
   * With `secured`: enforce ACLs on the SASL_SSL listener (see SecuredListeners.superUsers), with
   * a SCRAM-SHA-512 user per name (passwords in `secured.users`) and the super user `admin`
   * (`secured.admin`); create ACLs with createKafkaAcls.
   */
  authorizer?: AuthorizerOptions;
}

export interface LocalKafka {
  bootstrapServers: string;
  logFile: string;
  /** Folder holding config and data; deleted by stop() unless it was given as `dataDir`. */
  dir: string;
  /** The broker's java process. */
  pid: number;
  kafkaVersion: string;
  /** The secured listeners, when asked for. */
  secured?: SecuredKafka;
  stop(): Promise<void>;
}

export class LocalKafkaError extends Error {
  override name = "LocalKafkaError";
}

class PortClashError extends LocalKafkaError {}

const log = (message: string) => console.error(`[local-stack] ${message}`);

async function ensureJars(env: NodeJS.ProcessEnv, provision: boolean): Promise<string> {
  const dir = kafkaDir(env);
  if (isProvisioned(dir)) return dir;
  const howToFix =
    "Run `pnpm broker:provision` (or `bash scripts/setup.sh`) once; it needs Java 17+ and Maven.";
  if (!provision)
    throw new LocalKafkaError(`the Kafka ${kafkaVersion()} jars are not cached in ${dir}. ${howToFix}`);
  try {
    return (await provisionKafka({ env, log: (m) => log(m) })).dir;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LocalKafkaError(`could not provision the Kafka jars: ${reason}\n${howToFix}`);
  }
}

/** Kafka's own Uuid rejects ids starting with "-", which its CLI would parse as an option. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function jvmArgs(jarsDir: string, log4jFile: string, extra: string[]): string[] {
  return [
    ...extra,
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${log4jFile}`,
    "-cp",
    // java expands the wildcard itself; no shell is involved.
    join(jarsDir, "*"),
  ];
}

/**
 * Runs Apache Kafka in KRaft mode (one node, broker and controller combined) from the
 * cached jars, with all state in a fresh temp dir. Resolves once the broker answers a
 * Kafka request.
 */
export async function startLocalKafka(opts: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const env = opts.env ?? process.env;
  const jarsDir = await ensureJars(env, opts.provision ?? true);
  // Free ports are picked before java binds them; retry if another process won the race.
  const attempts = opts.port === undefined ? 3 : 1;
  if (opts.port !== undefined) await assertPortFree(opts.port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts, env, jarsDir);
    } catch (err) {
      if (!(err instanceof PortClashError) || attempt >= attempts) throw err;
      log(`port clash, retrying with other ports (${err.message.split("\n")[0]})`);
    }
  }
}

/**
 * A fixed port already taken (say by the docker compose broker) would make the probe talk
 * to that other broker, so refuse up front.
 */
async function assertPortFree(port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(false)));
  });
  if (inUse)
    throw new LocalKafkaError(`port ${port} on 127.0.0.1 is already in use (another broker running?)`);
}

async function startOnce(
  opts: LocalKafkaOptions,
  env: NodeJS.ProcessEnv,
  jarsDir: string,
): Promise<LocalKafka> {
  const kept = opts.dataDir !== undefined;
  if (kept && opts.secured)
    throw new LocalKafkaError("a kept data dir and secured listeners do not go together");
  if (opts.authorizer && !opts.secured)
    throw new LocalKafkaError("an authorizer needs the secured listeners (secured: true)");
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "local-stack-kafka-")));
  if (kept) await mkdir(dir, { recursive: true });
  const logFile = opts.logFile ?? join(dir, "broker.log");
  let child: ChildProcess | undefined;
  let unguard: (() => void) | undefined;
  const cleanUp = async () => {
    if (child) await terminate(child, opts.stopTimeoutMs ?? 10_000);
    unguard?.();
    if (!kept) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    // A kept broker comes back on the ports it had: its KRaft voter set names the controller's.
    const remembered = kept ? await rememberedPorts(dir) : undefined;
    const brokerPort = opts.port ?? remembered?.brokerPort ?? (await freePort());
    let controllerPort = opts.controllerPort ?? remembered?.controllerPort ?? (await freePort());
    while (controllerPort === brokerPort) controllerPort = await freePort();
    if (kept) await writeKept(dir, PORTS_FILE, { brokerPort, controllerPort });
    const secured = opts.secured
      ? await prepareSecuredKafka(dir, await otherFreePorts([brokerPort, controllerPort]), opts.authorizer)
      : undefined;
    const propsFile = join(dir, "server.properties");
    const log4jFile = join(dir, "log4j2.properties");
    await writeFile(
      propsFile,
      serverProperties({
        brokerPort,
        controllerPort,
        dataDir: join(dir, "data"),
        secured: secured?.listeners,
        overrides: opts.brokerProperties,
      }),
    );
    await writeFile(log4jFile, log4j2Properties(opts.logLevel ?? "WARN"));
    const java = javaCommand(env);

    // A kept folder is formatted once; formatting again would refuse (or lose) its data.
    if (!existsSync(join(dir, "data", "meta.properties"))) {
      await formatStorage(
        java,
        env,
        jvmArgs(jarsDir, log4jFile, FORMAT_JVM),
        propsFile,
        logFile,
        secured?.formatArgs ?? [],
      );
    }

    const heap = opts.heap ?? "512m";
    const serverArgs = jvmArgs(jarsDir, log4jFile, [
      `-Xmx${heap}`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
    ]);
    const started = spawnJava({ java, env, logFile, args: [...serverArgs, "kafka.Kafka", propsFile] });
    let spawnError: Error | undefined;
    started.once("error", (err) => {
      spawnError = err;
    });
    if (started.pid === undefined) {
      // The "error" event explaining why comes on a later tick.
      await waitForExit(started, 100);
      throw spawnFailure(java, spawnError ?? new Error("no pid"));
    }
    child = started;
    unguard = guardChild(started, kept ? undefined : dir);
    // The broker lives as long as its owner keeps running; it must not keep the owner alive.
    started.unref();

    await waitUntilServing(started, brokerPort, logFile, opts.startTimeoutMs ?? 60_000);
    let stopping: Promise<void> | undefined;
    return {
      bootstrapServers: `127.0.0.1:${brokerPort}`,
      logFile,
      dir,
      pid: started.pid,
      kafkaVersion: kafkaVersion(),
      ...(secured ? { secured: secured.kafka } : {}),
      stop: () => {
        stopping ??= cleanUp();
        return stopping;
      },
    };
  } catch (err) {
    await cleanUp().catch(() => {});
    throw err;
  }
}

const PORTS_FILE = "ports.json";

async function rememberedPorts(
  dir: string,
): Promise<{ brokerPort: number; controllerPort: number } | undefined> {
  const kept = await readKept(dir, PORTS_FILE, { brokerPort: "number", controllerPort: "number" });
  return kept
    ? { brokerPort: Number(kept.brokerPort), controllerPort: Number(kept.controllerPort) }
    : undefined;
}

// Short-lived tool: a client-only JIT and a small heap start it faster.
const FORMAT_JVM = ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** Two free ports, different from `taken` and from each other. */
async function otherFreePorts(taken: number[]): Promise<{ saslSslPort: number; mutualTlsPort: number }> {
  const ports: number[] = [];
  while (ports.length < 2) {
    const port = await freePort();
    if (!taken.includes(port) && !ports.includes(port)) ports.push(port);
  }
  const [saslSslPort = 0, mutualTlsPort = 0] = ports;
  return { saslSslPort, mutualTlsPort };
}

async function formatStorage(
  java: string,
  env: NodeJS.ProcessEnv,
  jvm: string[],
  propsFile: string,
  logFile: string,
  extraArgs: string[],
): Promise<void> {
  const format = spawnJava({
    java,
    env,
    logFile,
    args: [...jvm, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", propsFile, ...extraArgs],
  });
  const formatted = await runToCompletion(format, 60_000);
  if (formatted instanceof Error && format.pid === undefined) throw spawnFailure(java, formatted);
  if (formatted !== 0) {
    const reason = formatted instanceof Error ? formatted.message : `exit ${formatted}`;
    throw new LocalKafkaError(
      `formatting the KRaft storage failed (${reason}).\n--- ${logFile} ---\n${await tailOf(logFile)}`,
    );
  }
}

function spawnFailure(java: string, err: Error): LocalKafkaError {
  return new LocalKafkaError(
    `could not run \`${java}\` (${err.message}). Install a JDK 17+ or set JAVA_HOME to one.`,
  );
}

async function waitUntilServing(
  child: ChildProcess,
  port: number,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProbeError = "";
  for (;;) {
    if (hasExited(child)) {
      const tail = await tailOf(logFile);
      const message = `the Kafka broker exited during start-up (${child.exitCode ?? child.signalCode}).\n--- ${logFile} ---\n${tail}`;
      throw /Address already in use/.test(tail) ? new PortClashError(message) : new LocalKafkaError(message);
    }
    try {
      const reply = await probeApiVersions("127.0.0.1", port, 2_000);
      // Re-checked: a reply from a process that took the port meanwhile is not ours.
      if (reply.errorCode === 0 && !hasExited(child)) return;
      lastProbeError = `ApiVersions error code ${reply.errorCode}`;
    } catch (err) {
      lastProbeError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new LocalKafkaError(
        `the Kafka broker did not serve requests on 127.0.0.1:${port} within ${timeoutMs / 1000} s ` +
          `(last probe: ${lastProbeError}).\n--- ${logFile} ---\n${await tailOf(logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
