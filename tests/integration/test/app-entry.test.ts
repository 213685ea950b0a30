import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { appEntry, repoRoot } from "../support/index.js";

const APPS = ["deletor-worker", "producer", "topic-setup", "demo", "redrive", "seed", "status"];

const majorOf = (version: string): number => Number.parseInt(version.replace(/^v/, ""), 10);

/**
 * A Node.js older than 22 on this machine, if any: the system's Node when the test run has the
 * toolchain's Node 22 first on PATH (as set-up and CI do here). NODE_OLDER names one explicitly.
 */
function findOlderNode(): { path: string; version: string } | undefined {
  const candidates = [
    ...(process.env.NODE_OLDER ? [process.env.NODE_OLDER] : []),
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "node")),
    "/usr/bin/node",
    "/usr/local/bin/node",
  ];
  for (const path of new Set(candidates)) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 });
    const version = run.stdout?.trim() ?? "";
    if (run.status === 0 && majorOf(version) < 22) return { path, version };
  }
  return undefined;
}

const older = findOlderNode();
if (!older) console.log("[integration] app entries on an older Node.js skipped: no Node < 22 found");

/** Like a person typing `node apps/<app>/bin/<app>.mjs --help` (the env keeps PATH etc.). */
const runEntry = (node: string, app: string) =>
  spawnSync(node, [appEntry(app), "--help"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });

describe("app entries (apps/<app>/bin/<app>.mjs)", () => {
  it.each(APPS)("%s starts the app on this Node.js", (app) => {
    const run = runEntry(process.execPath, app);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: ${app} `));
  });

  it.skipIf(!older).each(APPS)("%s on a Node.js older than 22 says which Node it needs", (app) => {
    const { path, version } = older as { path: string; version: string };
    const run = runEntry(path, app);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `${app}: Node.js >= 22 is required (this is ${version}); run 'source scripts/toolchain.sh' or use the repository's wrapper (./nodew, ./pnpmw)\n`,
    );
  });
});
