import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, repoPath } from "./repo.js";

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  index: number;
  name?: string;
  /** The FROM reference with build args substituted: an image or an earlier stage's name. */
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Path relative to the repository root. */
  path: string;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Instructions with line continuations joined and comments dropped (as Docker reads them). */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && pending === "")) return;
    if (pending === "") startLine = i + 1;
    if (trimmed.endsWith("\\")) {
      pending += `${trimmed.slice(0, -1).trimEnd()} `;
      return;
    }
    const full = (pending + trimmed).trim();
    pending = "";
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match)
      result.push({ keyword: (match[1] as string).toUpperCase(), args: match[2] as string, line: startLine });
  });
  return result;
}

const substitute = (text: string, args: Record<string, string>): string =>
  text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, a, b) => {
    const name = (a ?? b) as string;
    return args[name] ?? match;
  });

export function parseDockerfile(text: string, path: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === "FROM") {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith("--platform"));
      const base = substitute(parts[0] ?? "", globalArgs);
      const asIndex = parts.findIndex((p) => p.toUpperCase() === "AS");
      const name = asIndex >= 0 ? parts[asIndex + 1] : undefined;
      stages.push({ index: stages.length, base, instructions: [], ...(name ? { name } : {}) });
      continue;
    }
    const current = stages.at(-1);
    if (current) {
      current.instructions.push(ins);
    } else if (ins.keyword === "ARG") {
      const [name = "", value = ""] = ins.args.split("=");
      globalArgs[name.trim()] = value.trim().replace(/^"(.*)"$/, "$1");
    }
  }
  return { path, globalArgs, stages };
}

export function loadDockerfile(path: string): Dockerfile {
  return parseDockerfile(readFileSync(repoPath(path), "utf8"), path);
}

/** Dockerfiles in the repository: deploy/** and apps/<app>/ (named Dockerfile or *.Dockerfile). */
export function findDockerfiles(): string[] {
  const found: string[] = [];
  const isDockerfile = (name: string) => name === "Dockerfile" || name.endsWith(".Dockerfile");
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (isDockerfile(entry.name)) found.push(relative(ROOT, full));
    }
  };
  walk(repoPath("deploy"));
  if (existsSync(repoPath("apps"))) {
    for (const app of readdirSync(repoPath("apps"))) {
      for (const name of existsSync(repoPath("apps", app)) ? readdirSync(repoPath("apps", app)) : []) {
        if (isDockerfile(name)) found.push(join("apps", app, name));
      }
    }
  }
  return found.sort();
}

export function stageByName(file: Dockerfile, name: string): Stage | undefined {
  return file.stages.find((s) => s.name === name);
}

/** The stage a FROM refers to, when it is an earlier stage and not an image. */
export function parentStage(file: Dockerfile, stage: Stage): Stage | undefined {
  return file.stages.find((s) => s.index < stage.index && s.name === stage.base);
}

/** The stage and its ancestors through `FROM <stage>`, nearest first. */
export function lineage(file: Dockerfile, stage: Stage): Stage[] {
  const chain: Stage[] = [stage];
  let parent = parentStage(file, stage);
  while (parent) {
    chain.push(parent);
    parent = parentStage(file, parent);
  }
  return chain;
}

/** The external image a stage finally builds on. */
export function baseImage(file: Dockerfile, stage: Stage): string {
  return (lineage(file, stage).at(-1) as Stage).base;
}

/** USER in effect at the end of a stage (inherited through FROM <stage>); images default to root. */
export function effectiveUser(file: Dockerfile, stage: Stage): string {
  for (const s of lineage(file, stage)) {
    const user = s.instructions.filter((i) => i.keyword === "USER").at(-1);
    if (user) return user.args.trim();
  }
  return "root";
}

export function lastInstruction(file: Dockerfile, stage: Stage, keyword: string): Instruction | undefined {
  for (const s of lineage(file, stage)) {
    const found = s.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
  }
  return undefined;
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
  line: number;
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY" || i.keyword === "ADD")
    .map((i) => {
      let rest = i.args.trim();
      let from: string | undefined;
      for (
        let flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
        flag;
        flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)
      ) {
        if (flag[1] === "from") from = flag[2];
        rest = rest.slice(flag[0].length);
      }
      const paths = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter(Boolean);
      return {
        sources: paths.slice(0, -1),
        destination: paths.at(-1) ?? "",
        line: i.line,
        ...(from ? { from } : {}),
      };
    });
}

/** The exec-form ENTRYPOINT/CMD of a stage as an array (shell form gives ["/bin/sh", "-c", text]). */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction) return undefined;
  const text = instruction.args.trim();
  return text.startsWith("[") ? (JSON.parse(text) as string[]) : ["/bin/sh", "-c", text];
}

export const runText = (stage: Stage): string =>
  stage.instructions
    .filter((i) => i.keyword === "RUN")
    .map((i) => i.args)
    .join("\n");

/** Minimal .dockerignore matching: `*`, `**` and plain paths, as used in this repository. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negated = l.startsWith("!");
      const pattern = (negated ? l.slice(1) : l).replace(/^\/+/, "").replace(/\/+$/, "");
      const source = pattern
        .split("/")
        .map((seg) =>
          seg === "**"
            ? "(?:.*)"
            : seg
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
      // A matched directory excludes everything below it.
      return { negated, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path: string) => {
    const clean = path.replace(/^\.\//, "").replace(/\/+$/, "");
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(clean)) ignored = !rule.negated;
    return ignored;
  };
}
