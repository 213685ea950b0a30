#!/usr/bin/env node
// Unpacks the upstream Resonate server binary (an xz archive of the release build) into the
// cache folder, so tests, benchmarks and the demo can run a real server without Docker.
// Plain Node ESM with no dependencies: scripts/setup.sh runs it before anything is built.
// src/resonate-server.ts imports the same functions (typed by provision-resonate.d.mts).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { cacheRoot, isMain, ProvisionError } from "./provision-kafka.mjs";

/**
 * The server version the SDK (@resonatehq/sdk 0.11.5) is known to work with. A build from
 * after v0.9.8 answers the SDK's task.fence with 400, so this is pinned, and so is the binary.
 */
export const RESONATE_VERSION = "v0.9.8";
/** sha256 of the unpacked upstream v0.9.8 Linux x86_64 binary. */
export const RESONATE_BINARY_SHA256 = "32cdb6ff0f67d1d1d0d7b81077e38d1f961a41349904a94dd616392b42d192ec";

/** Where set-up puts the binary: `<cache>/resonate-v0.9.8/resonate`. */
export function cachedResonateBinary(env = process.env) {
  return join(cacheRoot(env), `resonate-${RESONATE_VERSION}`, "resonate");
}

function sha256Of(file) {
  return new Promise((done, fail) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => done(hash.digest("hex")))
      .on("error", fail);
  });
}

/** xz -dc archive > target; xz is part of every Debian base system. */
function unxz(archive, target) {
  return new Promise((done, fail) => {
    const out = createWriteStream(target, { mode: 0o755 });
    const child = spawn("xz", ["-dc", archive], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.pipe(out);
    child.on("error", (err) =>
      fail(new ProvisionError(`cannot run xz to unpack ${archive}: ${err.message} (install xz-utils)`)),
    );
    child.on("close", (code) => {
      out.close();
      if (code === 0) done();
      else fail(new ProvisionError(`xz could not unpack ${archive} (exit ${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * Unpacks `archive` into the cache unless the cached binary is already the pinned one.
 * Refuses a binary whose checksum is not the pinned release's: tests must run the version
 * the worker is known to work with.
 */
export async function provisionResonate({ archive, env = process.env, log = () => {} }) {
  const binary = cachedResonateBinary(env);
  if (existsSync(binary) && (await sha256Of(binary)) === RESONATE_BINARY_SHA256) {
    return { binary, cached: true };
  }
  const source = resolve(archive);
  if (!existsSync(source))
    throw new ProvisionError(`RESONATE_SERVER_ARCHIVE names ${source}, which does not exist`);
  await mkdir(dirname(binary), { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  log(`unpacking the Resonate server ${RESONATE_VERSION} from ${source}`);
  try {
    await unxz(source, partial);
    const sha = await sha256Of(partial);
    if (sha !== RESONATE_BINARY_SHA256) {
      throw new ProvisionError(
        `${source} does not hold the Resonate server ${RESONATE_VERSION} for Linux x86_64 (sha256 ${sha}, expected ${RESONATE_BINARY_SHA256})`,
      );
    }
    await chmod(partial, 0o755);
    await rename(partial, binary);
  } finally {
    await rm(partial, { force: true });
  }
  return { binary, cached: false };
}

const USAGE = `Usage: provision-resonate <archive.xz>

Unpacks the Resonate server ${RESONATE_VERSION} (the upstream release binary, xz-compressed) into
  ${cachedResonateBinary()}
(set BATCH_DELETION_CACHE to move it), checking its sha256. Does nothing when the cached binary
is already that release. Prints the binary's path on stdout.

  --help    show this text`;

async function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    process.stderr.write(`expected exactly one archive path\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const { binary, cached } = await provisionResonate({
      archive: argv[0],
      log: (m) => process.stderr.write(`[provision-resonate] ${m}\n`),
    });
    process.stderr.write(`[provision-resonate] ${cached ? "already cached" : "unpacked"}: ${binary}\n`);
    process.stdout.write(`${binary}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof ProvisionError ? err.message : (err?.stack ?? String(err));
    process.stderr.write(`[provision-resonate] error: ${message}\n`);
    return 1;
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
