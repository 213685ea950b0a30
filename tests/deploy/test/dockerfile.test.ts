import { existsSync } from "node:fs";
import { join, normalize } from "node:path";
import { parseOptions } from "@deletion/cli-kit";
import { workerCli } from "@deletion/deletor-worker/config";
import { describe, expect, it } from "vitest";
import { type ComposeBuild, isPinned, loadCompose } from "../support/compose.js";
import {
  baseImage,
  copies,
  type Dockerfile,
  dockerignoreMatcher,
  effectiveUser,
  execForm,
  findDockerfiles,
  lastInstruction,
  lineage,
  loadDockerfile,
  runText,
  type Stage,
  stageByName,
} from "../support/dockerfile.js";
import {
  entryPoint,
  type PackageJson,
  readJson,
  readText,
  repoPath,
  workspacePackage,
} from "../support/repo.js";

/** Which workspace package each built compose service must run. */
const APP_OF_SERVICE: Record<string, string> = {
  worker: "@deletion/deletor-worker",
  "topic-setup": "@deletion/topic-setup",
  producer: "@deletion/producer",
  seed: "@deletion/seed",
  status: "@deletion/status",
  redrive: "@deletion/redrive",
  console: "@deletion/console",
  bulk: "@deletion/bulk",
};

const compose = loadCompose();
const root = readJson<PackageJson>("package.json");
const pnpmVersion = /^pnpm@(\d+\.\d+\.\d+)/.exec(root.packageManager ?? "")?.[1];
const ignored = existsSync(repoPath(".dockerignore"))
  ? dockerignoreMatcher(readText(".dockerignore"))
  : () => false;

interface BuiltService {
  name: string;
  context: string;
  dockerfile: string;
  target?: string;
}

const builtServices: BuiltService[] = Object.entries(compose.services)
  .filter(([, svc]) => svc.build !== undefined)
  .map(([name, svc]) => {
    const build: ComposeBuild =
      typeof svc.build === "string" ? { context: svc.build } : (svc.build as ComposeBuild);
    const context = normalize(build.context ?? ".");
    return {
      name,
      context,
      dockerfile: normalize(join(context, build.dockerfile ?? "Dockerfile")),
      ...(build.target ? { target: build.target } : {}),
    };
  });

const dockerfilePaths = [
  ...new Set([...findDockerfiles(), ...builtServices.map((s) => s.dockerfile)]),
].sort();

/** The build context of a Dockerfile: the one compose gives it, else the repository root. */
const contextOf = (path: string): string => builtServices.find((s) => s.dockerfile === path)?.context ?? ".";

/** `pnpm ... deploy ... <dir>` commands of a stage: which package went to which directory. */
function deploys(stage: Stage): { filter: string; target: string; command: string }[] {
  return runText(stage)
    .split(/&&|;|\n/)
    .map((c) => c.trim())
    .filter((c) => /^pnpm\b.*\sdeploy\s/.test(c))
    .map((command) => ({
      filter: /--filter[= ](\S+)/.exec(command)?.[1] ?? "",
      target: command.split(/\s+/).at(-1) ?? "",
      command,
    }));
}

describe("Dockerfiles", () => {
  it("exist for every built compose service", () => {
    expect(builtServices.map((s) => s.name).sort()).toEqual(Object.keys(APP_OF_SERVICE).sort());
    for (const s of builtServices) expect(existsSync(repoPath(s.dockerfile)), s.dockerfile).toBe(true);
  });

  describe.each(dockerfilePaths)("%s", (path) => {
    const file: Dockerfile = loadDockerfile(path);
    const stageNames = new Set(file.stages.map((s) => s.name).filter(Boolean));

    it("builds only on pinned images (or its own earlier stages)", () => {
      expect(file.stages.length).toBeGreaterThan(0);
      for (const stage of file.stages) {
        const earlier = file.stages.some((s) => s.index < stage.index && s.name === stage.base);
        if (!earlier) expect(isPinned(stage.base), `FROM ${stage.base} floats`).toBe(true);
      }
    });

    it("copies only files that exist in its build context and are not .dockerignored", () => {
      for (const stage of file.stages) {
        for (const copy of copies(stage)) {
          if (copy.from !== undefined) {
            expect(
              stageNames.has(copy.from) || isPinned(copy.from),
              `line ${copy.line}: --from=${copy.from}`,
            ).toBe(true);
            continue;
          }
          for (const source of copy.sources) {
            const inContext = normalize(join(contextOf(path), source));
            expect(existsSync(repoPath(inContext)), `line ${copy.line}: COPY ${source}`).toBe(true);
            if (inContext !== ".")
              expect(ignored(inContext), `line ${copy.line}: ${source} is .dockerignored`).toBe(false);
          }
        }
      }
    });

    it("runs only repository scripts that are in its build context", () => {
      for (const stage of file.stages) {
        for (const [, script] of runText(stage).matchAll(/\b(?:sh|bash)\s+((?:[\w.-]+\/)*[\w.-]+\.sh)\b/g)) {
          const inContext = normalize(join(contextOf(path), script as string));
          expect(existsSync(repoPath(inContext)), `RUN sh ${script}`).toBe(true);
          expect(ignored(inContext), `${script} is .dockerignored`).toBe(false);
        }
      }
    });

    it("installs with the pinned pnpm and the lockfile as it is", () => {
      const text = file.stages.map(runText).join("\n");
      if (!/\bpnpm\b/.test(text)) return;
      expect(pnpmVersion, "root package.json has no packageManager pnpm@x.y.z").toBeDefined();
      expect([...text.matchAll(/pnpm@(\d+\.\d+\.\d+)/g)].map((m) => m[1])).toEqual(
        expect.arrayContaining([pnpmVersion]),
      );
      expect(text).toMatch(/pnpm install [^\n]*--frozen-lockfile/);
    });
  });

  describe.each(builtServices)("the $name image", (svc) => {
    const file = loadDockerfile(svc.dockerfile);
    const target = svc.target ? stageByName(file, svc.target) : file.stages.at(-1);
    const expectedPackage = APP_OF_SERVICE[svc.name] as string;

    it("has its target stage", () => {
      expect(target, `no stage "${svc.target}" in ${svc.dockerfile}`).toBeDefined();
    });

    it("runs as a non-root user", () => {
      const user = effectiveUser(file, target as Stage);
      expect(["root", "0", "0:0", "root:root"]).not.toContain(user);
    });

    it("runs on a Debian-based Node image (the Kafka client's prebuilt binary needs glibc)", () => {
      const image = baseImage(file, target as Stage);
      expect(image).toMatch(/^(docker\.io\/(library\/)?)?node:/);
      expect(image).not.toMatch(/alpine/);
    });

    it(`contains the production deployment of ${expectedPackage}, built by turbo`, () => {
      const pkg = workspacePackage(expectedPackage);
      expect(pkg, `${expectedPackage} is not a workspace package`).toBeDefined();
      expect(existsSync(repoPath(pkg?.dir ?? "-", "package.json"))).toBe(true);
      expect(entryPoint(pkg?.manifest as PackageJson), `${expectedPackage} has no bin/main`).toBeDefined();

      const fromStages = lineage(file, target as Stage)
        .flatMap(copies)
        .filter((c) => c.from !== undefined);
      const deployed = fromStages.flatMap((copy) => {
        const stage = stageByName(file, copy.from as string);
        if (!stage) return [];
        return lineage(file, stage)
          .flatMap(deploys)
          .filter((d) => copy.sources.some((s) => normalize(s) === normalize(d.target)))
          .map((d) => ({ ...d, stage }));
      });
      expect(deployed.map((d) => d.filter)).toEqual([expectedPackage]);
      const [deploy] = deployed;
      expect(deploy?.command).toMatch(/\s--prod\b/);
      // pnpm 10's deploy needs --legacy unless inject-workspace-packages is set.
      const injected = /inject-workspace-packages\s*[=:]\s*true/.test(
        `${readText(".npmrc")}\n${readText("pnpm-workspace.yaml")}`,
      );
      if (!injected) expect(deploy?.command).toMatch(/\s--legacy\b/);
      const turbo = runText(deploy?.stage as Stage);
      expect(turbo).toMatch(
        new RegExp(`turbo run build [^\\n&]*--filter[= ]${expectedPackage.replace("/", "\\/")}\\.\\.\\.`),
      );
    });

    it("starts the package's CLI with node", () => {
      const pkg = workspacePackage(expectedPackage);
      const entry = execForm(lastInstruction(file, target as Stage, "ENTRYPOINT"));
      expect(entry?.[0]).toBe("node");
      expect(normalize(entry?.[1] ?? "")).toBe(normalize(entryPoint(pkg?.manifest as PackageJson) ?? "-"));
    });
  });

  it("the worker image exposes the worker's HTTP port", () => {
    const svc = builtServices.find((s) => s.name === "worker") as BuiltService;
    const file = loadDockerfile(svc.dockerfile);
    const target = (svc.target ? stageByName(file, svc.target) : file.stages.at(-1)) as Stage;
    const exposed = lineage(file, target)
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === "EXPOSE")
      .flatMap((i) => i.args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
    const defaults = parseOptions(workerCli, [], {});
    expect(defaults.kind).toBe("ok");
    expect(exposed).toContain(defaults.kind === "ok" ? defaults.config.httpPort : -1);
  });
});

describe(".dockerignore", () => {
  it("keeps host installs and build output out of the build context", () => {
    expect(existsSync(repoPath(".dockerignore"))).toBe(true);
    for (const path of [
      "node_modules",
      "apps/deletor-worker/node_modules",
      "apps/deletor-worker/dist",
      "packages/contracts/dist",
      ".turbo",
      "packages/kafka/.turbo",
      ".git",
      "coverage",
      "tests/deploy/coverage",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("keeps what the build needs", () => {
    for (const path of [
      "package.json",
      "pnpm-lock.yaml",
      "pnpm-workspace.yaml",
      ".npmrc",
      "turbo.json",
      "tsconfig.base.json",
      "apps/deletor-worker/src/main.ts",
      "packages/contracts/package.json",
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});

describe("the image build context", () => {
  it("leaves secrets out: .env files, keys, certificates and tokens", () => {
    const ignored = dockerignoreMatcher(readText(".dockerignore"));
    for (const path of [
      ".env",
      ".env.local",
      "deploy/secure/ca.key",
      "certs/broker.pem",
      "a/worker.token",
      "secrets/ca.crt",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    // What the secured variant needs to run is not secret and stays in the repository's context.
    expect(ignored("deploy/secure/generate-secrets.sh")).toBe(false);
  });
});
