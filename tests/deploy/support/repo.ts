import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root (this file is tests/deploy/support/repo.ts). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const repoPath = (...parts: string[]): string => resolve(ROOT, ...parts);

export const readText = (...parts: string[]): string => readFileSync(repoPath(...parts), "utf8");

export const readJson = <T = Record<string, unknown>>(...parts: string[]): T =>
  JSON.parse(readText(...parts)) as T;

export interface PackageJson {
  name: string;
  version?: string;
  packageManager?: string;
  main?: string;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  /** Directory relative to the repository root, e.g. "apps/deletor-worker". */
  dir: string;
  manifest: PackageJson;
}

/**
 * Every workspace package, found through pnpm-workspace.yaml's entries: "dir/*" globs and plain
 * directories (e.g. "bench").
 */
export function workspacePackages(): WorkspacePackage[] {
  const workspace = parse(readText("pnpm-workspace.yaml")) as { packages?: string[] };
  const found: WorkspacePackage[] = [];
  const add = (dir: string) => {
    if (!existsSync(repoPath(dir, "package.json"))) return;
    found.push({
      name: readJson<PackageJson>(dir, "package.json").name,
      dir,
      manifest: readJson(dir, "package.json"),
    });
  };
  for (const glob of workspace.packages ?? []) {
    if (/^[\w.-]+(\/[\w.-]+)*$/.test(glob)) {
      add(glob);
      continue;
    }
    if (!glob.endsWith("/*") || /[*?{[!]/.test(glob.slice(0, -2)))
      throw new Error(`unsupported workspace glob ${glob}: extend workspacePackages()`);
    const parent = glob.slice(0, -2);
    if (!existsSync(repoPath(parent))) continue;
    for (const entry of readdirSync(repoPath(parent), { withFileTypes: true })) {
      if (entry.isDirectory()) add(join(parent, entry.name));
    }
  }
  return found;
}

export function workspacePackage(name: string): WorkspacePackage | undefined {
  return workspacePackages().find((p) => p.name === name);
}

/** The file a package's CLI runs: its bin (single or first entry), else its main. */
export function entryPoint(manifest: PackageJson): string | undefined {
  if (typeof manifest.bin === "string") return manifest.bin;
  if (manifest.bin && typeof manifest.bin === "object") return Object.values(manifest.bin)[0];
  return manifest.main;
}
