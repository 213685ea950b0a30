import { accessSync, constants, existsSync, statSync } from "node:fs";
import { normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlockLines, shellWords } from "../support/compose-commands.js";
import { documentPaths } from "../support/doc-links.js";
import { type PackageJson, readJson, readText, repoPath, workspacePackages } from "../support/repo.js";

const WRAPPERS = { "./pnpmw": "pnpm", "./nodew": "node" } as const;

/** The README and the docs behind it (docs/decisions/ too): every command shown in them is checked here. */
const DOCUMENTS = documentPaths();

/** Each README and docs code-block command as shell words, without leading `VAR=value` assignments. */
const readmeCommands = (): string[][] =>
  DOCUMENTS.flatMap((path) => codeBlockLines(readText(path)))
    .map((line) => {
      const words = shellWords(line);
      while (words[0] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
      return words;
    })
    .filter((words) => words.length > 0);

/** The files people run to start an app: every workspace package's bin entries. */
const binEntries = (): string[] =>
  workspacePackages().flatMap((pkg) => {
    const bin = pkg.manifest.bin;
    const paths = typeof bin === "string" ? [bin] : Object.values(bin ?? {});
    return paths.map((p) => normalize(`${pkg.dir}/${p}`));
  });

const isExecutable = (path: string): boolean => {
  try {
    accessSync(repoPath(path), constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The README's commands must work in a fresh shell, whose node may be older than 22. */
describe("README.md and docs/ commands in a fresh shell", () => {
  it.each(Object.entries(WRAPPERS))(
    "%s exists, is executable and runs %s with the toolchain",
    (path, tool) => {
      expect(existsSync(repoPath(path)), `${path} is missing`).toBe(true);
      expect(statSync(repoPath(path)).isFile()).toBe(true);
      expect(isExecutable(path), `${path} is not executable (chmod +x)`).toBe(true);
      const text = readText(path);
      expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
      expect(text).toMatch(/^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/scripts\/toolchain\.sh"/m);
      expect(text).toMatch(new RegExp(`^exec ${tool} "\\$@"$`, "m"));
    },
  );

  it("runs node and pnpm only through the wrappers", () => {
    const bare = readmeCommands().filter((words) => ["node", "pnpm", "npx"].includes(words[0] as string));
    expect(bare.map((words) => words.join(" "))).toEqual([]);
  });

  it("starts apps through their bin entries, which check the Node.js version first", () => {
    const entries = binEntries();
    const started = readmeCommands()
      .filter((words) => words[0] === "./nodew")
      .map((words) => words[1] ?? "");
    expect(started.length, "README.md starts no app with ./nodew").toBeGreaterThan(0);
    for (const path of started) {
      expect(entries, `./nodew ${path}: not a package's bin entry`).toContain(normalize(path));
    }
  });

  it("runs with ./pnpmw only root scripts or root dependencies' commands", () => {
    const root = readJson<PackageJson>("package.json");
    const names = readmeCommands()
      .filter((words) => words[0] === "./pnpmw")
      .map((words) => words[1] ?? "");
    expect(names).toContain("demo");
    for (const name of names) {
      const known =
        Object.hasOwn(root.scripts ?? {}, name) || existsSync(repoPath("node_modules/.bin", name));
      expect(known, `./pnpmw ${name}: no root script or command of that name`).toBe(true);
    }
  });

  it("set-up ends by naming the command to run next", () => {
    const lastLog = readText("scripts/setup.sh")
      .split("\n")
      .filter((line) => /^\s*log /.test(line))
      .at(-1);
    expect(lastLog).toContain("./pnpmw demo");
  });
});

describe("app bin entries", () => {
  it.each(binEntries())("%s is executable and imports nothing of the app before the check", (path) => {
    expect(existsSync(repoPath(path)), `${path} is missing`).toBe(true);
    expect(isExecutable(path), `${path} is not executable (chmod +x)`).toBe(true);
    const text = readText(path);
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    const staticImports = [...text.matchAll(/^import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(staticImports).toEqual(["@deletion/cli-kit/start-app"]);
    expect(text).toMatch(/startApp\("[\w-]+", new URL\("\.\.\/dist\/main\.js", import\.meta\.url\)\)/);
  });
});
