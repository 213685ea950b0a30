import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath, type WorkspacePackage, workspacePackages } from "./repo.js";

/**
 * The layers of the house, lowest first: a package may depend on its own layer or a lower one.
 * Test-only packages sit above everything and nothing at run time may depend on them.
 */
export const LAYERS = ["contracts", "adapters", "domain", "apps", "test"] as const;
export type Layer = (typeof LAYERS)[number];

const PACKAGE_LAYERS: Record<string, Layer> = {
  "@deletion/contracts": "contracts",
  "@deletion/record-store": "contracts",
  "@deletion/kafka": "adapters",
  "@deletion/resonate-client": "adapters",
  "@deletion/store-postgres": "adapters",
  "@deletion/local-stack": "adapters",
  "@deletion/cli-kit": "adapters",
  "@deletion/pacing": "domain",
  "@deletion/workflows": "domain",
  "@deletion/deletion-status": "domain",
  "@deletion/deletor": "domain",
  "@deletion/demo": "domain",
  "@deletion/console-server": "domain",
  "@deletion/console-web": "domain",
  "@deletion/test-kit": "test",
  "@deletion/bench": "test",
};

/** The layer of a workspace package: apps and tests by directory, packages from the map. */
export function layerOf(pkg: WorkspacePackage): Layer | undefined {
  if (pkg.dir.startsWith("apps/")) return "apps";
  if (pkg.dir.startsWith("tests/")) return "test";
  return PACKAGE_LAYERS[pkg.name];
}

export interface Arrow {
  from: string;
  to: string;
}

/** Run-time dependencies between workspace packages (devDependencies excluded). */
export function runtimeArrows(packages = workspacePackages()): Arrow[] {
  const names = new Set(packages.map((p) => p.name));
  return packages.flatMap((p) =>
    Object.keys(p.manifest.dependencies ?? {})
      .filter((dep) => names.has(dep))
      .map((to) => ({ from: p.name, to })),
  );
}

/** Every cycle's packages, found by depth-first search over the arrows. */
export function cycles(arrows: Arrow[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of arrows) next.set(from, [...(next.get(from) ?? []), to]);
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "visiting") {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, "visiting");
    for (const to of next.get(node) ?? []) visit(to, [...path, node]);
    state.set(node, "done");
  };
  for (const node of next.keys()) visit(node, []);
  return found;
}

/** The `@deletion/*` packages a package's src/ files import (type-only imports included). */
export function sourceImports(pkg: WorkspacePackage): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(repoPath(dir))) return;
    for (const entry of readdirSync(repoPath(dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) {
        const text = readFileSync(repoPath(path), "utf8");
        for (const match of text.matchAll(/(?:from\s+|import\(\s*)["'](@deletion\/[\w-]+)/g)) {
          found.add(match[1] as string);
        }
      }
    }
  };
  walk(join(pkg.dir, "src"));
  walk(join(pkg.dir, "bin"));
  return found;
}
