#!/usr/bin/env node
// Fetches the Apache Kafka broker's jars (kafka/pom.xml) with Maven into a cache folder
// outside the repository, so tests and `pnpm broker` can run a real broker without Docker.
// Plain Node ESM with no dependencies: scripts/setup.sh runs it before anything is built.
// src/local-kafka.ts imports the same functions (typed by provision-kafka.d.mts) so the
// cache layout has one definition.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const POM_PATH = join(PACKAGE_ROOT, "kafka", "pom.xml");
const MARKER = "provisioned.json";
const MIN_JAVA = 17;

/** Raised for problems a person has to fix (missing tool, failed download). */
export class ProvisionError extends Error {
  name = "ProvisionError";
}

/** `$BATCH_DELETION_CACHE`, else `$XDG_CACHE_HOME/batch-deletion`, else `~/.cache/batch-deletion`. */
export function cacheRoot(env = process.env) {
  if (env.BATCH_DELETION_CACHE) return env.BATCH_DELETION_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(xdg, "batch-deletion");
}

export function kafkaVersion() {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(readFileSync(POM_PATH, "utf8"));
  if (!match?.[1]) throw new ProvisionError(`no <kafka.version> property in ${POM_PATH}`);
  return match[1];
}

function pomHash() {
  return createHash("sha256").update(readFileSync(POM_PATH)).digest("hex");
}

export function kafkaDir(env = process.env) {
  return join(cacheRoot(env), `kafka-${kafkaVersion()}`);
}

/**
 * The folder counts as complete only when its marker (written last) matches the current
 * pom and every jar it lists is still there; a half-copied or outdated folder does not.
 */
export function isProvisioned(dir) {
  let marker;
  try {
    marker = JSON.parse(readFileSync(join(dir, MARKER), "utf8"));
  } catch {
    return false;
  }
  if (marker?.pomSha256 !== pomHash() || !Array.isArray(marker.jars) || marker.jars.length === 0)
    return false;
  return marker.jars.every((jar) => typeof jar === "string" && existsSync(join(dir, jar)));
}

export function javaCommand(env = process.env) {
  return env.JAVA_HOME ? join(env.JAVA_HOME, "bin", "java") : "java";
}

function checkJava(env) {
  const java = javaCommand(env);
  const res = spawnSync(java, ["-version"], { env, encoding: "utf8" });
  if (res.error || res.status !== 0) {
    throw new ProvisionError(
      `Java not found (tried \`${java}\`${env.JAVA_HOME ? " from JAVA_HOME" : " on PATH"}). ` +
        `Install a JDK ${MIN_JAVA}+ (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`,
    );
  }
  const version = /version "([^"]+)"/.exec(`${res.stderr}${res.stdout}`)?.[1] ?? "";
  const parts = version.split(".");
  const major = Number(parts[0] === "1" ? parts[1] : parts[0]);
  if (!(major >= MIN_JAVA)) {
    throw new ProvisionError(
      `Java ${version || "of unknown version"} at \`${java}\` is too old: Kafka's broker needs Java ${MIN_JAVA}+. ` +
        "Install a newer JDK or point JAVA_HOME at one.",
    );
  }
}

function checkMaven(env) {
  const res = spawnSync("mvn", ["-v"], { env, encoding: "utf8" });
  if (res.error || res.status !== 0) {
    throw new ProvisionError(
      "Maven (`mvn`) not found on PATH; it downloads the Kafka jars once. " +
        "Install it (Debian/Ubuntu: apt-get install maven) and run `pnpm broker:provision` again.",
    );
  }
}

function runMaven(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn("mvn", args, { env, cwd: dirname(POM_PATH), stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

function tail(text, lines) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Makes sure the jars are in the cache; returns where. Copies into a private sibling folder
 * and renames it into place, so concurrent runs (several test suites starting at once)
 * never see a half-filled folder.
 */
export async function provisionKafka({ env = process.env, force = false, log = defaultLog } = {}) {
  const dir = kafkaDir(env);
  const version = kafkaVersion();
  if (!force && isProvisioned(dir)) {
    log(`Kafka ${version} is already cached in ${dir}`);
    return { dir, version, cached: true };
  }
  checkJava(env);
  checkMaven(env);
  await mkdir(dirname(dir), { recursive: true });
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  log(`resolving Kafka ${version} with Maven into ${dir} (first run downloads about 45 MB)`);
  try {
    const args = [
      "-B",
      "-q",
      "-Dstyle.color=never",
      "-f",
      POM_PATH,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${staging}`,
    ];
    const { code, output } = await runMaven(args, env);
    const jars = existsSync(staging) ? readdirSync(staging).filter((f) => f.endsWith(".jar")) : [];
    if (code !== 0 || !jars.some((f) => f.startsWith("kafka_2.13-"))) {
      throw new ProvisionError(
        `Maven could not resolve the Kafka jars (exit code ${code}). ` +
          "Check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml).\n" +
          `--- last lines of \`mvn ${args.join(" ")}\` ---\n${tail(output, 40) || "(no output)"}`,
      );
    }
    const marker = {
      kafkaVersion: version,
      pomSha256: pomHash(),
      jars: jars.sort(),
      at: new Date().toISOString(),
    };
    await writeFile(join(staging, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    if (isProvisioned(dir) && !force) {
      log(`another run cached Kafka ${version} in ${dir} meanwhile`);
      return { dir, version, cached: true };
    }
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(staging, dir);
    } catch (err) {
      // Lost a race with a concurrent run: fine as long as what it left is complete.
      if (!isProvisioned(dir)) throw err;
    }
    log(`cached Kafka ${version} (${jars.length} jars) in ${dir}`);
    return { dir, version, cached: false };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function defaultLog(message) {
  process.stderr.write(`[provision-kafka] ${message}\n`);
}

const USAGE = `Usage: node packages/local-stack/bin/provision-kafka.mjs [--force]

Downloads Apache Kafka ${safeVersion()} (packages/local-stack/kafka/pom.xml) with Maven into
  ${safeDir()}
(set BATCH_DELETION_CACHE to move it). Does nothing when that folder is already complete.
Prints the folder on stdout. Needs Java 17+ and Maven on the first run only.

  --force   fetch again even if cached
  --help    show this text`;

function safeVersion() {
  try {
    return kafkaVersion();
  } catch {
    return "(unknown)";
  }
}

function safeDir() {
  try {
    return kafkaDir();
  } catch {
    return join(cacheRoot(), "kafka-<version>");
  }
}

async function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--force");
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument: ${unknown[0]}\n\n${USAGE}\n`);
    return 2;
  }
  const started = Date.now();
  try {
    const { dir } = await provisionKafka({ force: argv.includes("--force") });
    defaultLog(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(`${dir}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof ProvisionError ? err.message : (err?.stack ?? String(err));
    process.stderr.write(`[provision-kafka] error: ${message}\n`);
    return 1;
  }
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported). */
export function isMain(moduleUrl) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
