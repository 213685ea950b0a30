import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { readText, repoPath } from "./repo.js";

/** The chart, its validator and the values files the tests render (docs/kubernetes.md). */
export const CHART_DIR = "deploy/helm/batch-deletion";
export const VALIDATOR_DIR = "deploy/helm/validate";
export const HELM_VERSION = "v3.21.4";
export const RELEASE = "deletion";
export const NAMESPACE = "batch-deletion";

export const VALUES_FILES = {
  default: [] as string[],
  secured: ["deploy/helm/examples/secured.yaml"],
  external: ["deploy/helm/examples/external.yaml"],
} as const;
export type ValuesName = keyof typeof VALUES_FILES;

/** The cache folder scripts/setup.sh installs into (scripts/toolchain.sh names it the same way). */
const cacheDir = (): string =>
  process.env.BATCH_DELETION_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "batch-deletion");

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** helm as set-up installs it; a missing one fails the test, naming the fix. */
export function helmBinary(): string {
  const path = process.env.HELM_BIN ?? join(cacheDir(), `helm-${HELM_VERSION}`, "bin", "helm");
  if (!isExecutable(path))
    throw new Error(
      `helm ${HELM_VERSION} is not installed at ${path}: run bash scripts/setup.sh (it builds helm from the Go module proxy into its cache), or set HELM_BIN`,
    );
  return path;
}

function goBinary(): string {
  const candidates = [process.env.GO, ...(process.env.PATH ?? "").split(":").map((d) => join(d, "go"))];
  const found = [...candidates, "/usr/local/go/bin/go"].find((p): p is string => !!p && isExecutable(p));
  if (!found)
    throw new Error(
      `Go is not installed (looked on PATH and at /usr/local/go/bin/go): the manifest validator in ${VALIDATOR_DIR} is a Go program; install Go 1.26 or set GO`,
    );
  return found;
}

/**
 * The validator's binary, built once per version of its sources into the cache (a build under a
 * temporary name, then renamed, so test files building it at the same time do not collide).
 */
export function validatorBinary(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(repoPath(VALIDATOR_DIR)).sort()) {
    if (/\.(go|mod|sum)$/.test(file)) hash.update(file).update(readText(VALIDATOR_DIR, file));
  }
  const dir = join(cacheDir(), "helm-validate", hash.digest("hex").slice(0, 16));
  const binary = join(dir, "validate");
  if (isExecutable(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const building = join(dir, `validate.${process.pid}.tmp`);
  const build = spawnSync(goBinary(), ["build", "-o", building, "."], {
    cwd: repoPath(VALIDATOR_DIR),
    encoding: "utf8",
  });
  if (build.status !== 0)
    throw new Error(`building the manifest validator (${VALIDATOR_DIR}) failed:\n${build.stderr}`);
  renameSync(building, binary);
  return binary;
}

/** The Kubernetes version the manifests are checked against: that of the k8s.io/api module. */
export function kubernetesVersion(): string {
  const match = /\sk8s\.io\/api v0\.(\d+)\.(\d+)\s/.exec(readText(VALIDATOR_DIR, "go.mod"));
  if (!match) throw new Error(`${VALIDATOR_DIR}/go.mod requires no k8s.io/api version`);
  return `1.${match[1]}.${match[2]}`;
}

interface ChartDependency {
  name: string;
  version: string;
  repository: string;
  condition?: string;
}

export const chartDependencies = (): ChartDependency[] =>
  (parse(readText(CHART_DIR, "Chart.yaml")) as { dependencies?: ChartDependency[] }).dependencies ?? [];

let standInChart: string | undefined;
/**
 * A copy of the chart with an empty chart in place of each dependency. Helm refuses to render a
 * chart whose dependencies are not in charts/, even disabled ones, and the real ones cannot be
 * fetched here; a disabled dependency renders nothing, which is what the stand-ins render.
 */
export function chartWithStandIns(): string {
  if (standInChart) return standInChart;
  const dir = join(mkdtempSync(join(tmpdir(), "helm-chart-")), "batch-deletion");
  cpSync(repoPath(CHART_DIR), dir, { recursive: true });
  for (const dep of chartDependencies()) {
    const version = /\d+\.\d+\.\d+/.exec(dep.version)?.[0] ?? "0.0.0";
    mkdirSync(join(dir, "charts", dep.name), { recursive: true });
    writeFileSync(
      join(dir, "charts", dep.name, "Chart.yaml"),
      `apiVersion: v2\nname: ${dep.name}\nversion: ${version}\ndescription: an empty stand-in\n`,
    );
  }
  standInChart = dir;
  return dir;
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmRun {
  const run = spawnSync(helmBinary(), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

const valuesArgs = (files: readonly string[], set: readonly string[]) => [
  ...files.flatMap((f) => ["-f", repoPath(f)]),
  ...set.flatMap((s) => ["--set", s]),
];

/** `helm template` of the chart (with stand-ins) for values files and --set overrides. */
export function helmTemplate(files: readonly string[], set: readonly string[] = []): HelmRun {
  return helm([
    "template",
    RELEASE,
    chartWithStandIns(),
    "--namespace",
    NAMESPACE,
    "--kube-version",
    kubernetesVersion(),
    ...valuesArgs(files, set),
  ]);
}

export function helmLint(chartDir: string, files: readonly string[], strict: boolean): HelmRun {
  return helm([
    "lint",
    chartDir,
    "--kube-version",
    kubernetesVersion(),
    ...(strict ? ["--strict"] : []),
    ...valuesArgs(files, []),
  ]);
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The rendered objects of a successful `helm template`. */
export function render(files: readonly string[], set: readonly string[] = []): Manifest[] {
  const run = helmTemplate(files, set);
  if (run.status !== 0) throw new Error(`helm template failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((doc) => doc.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

export interface ValidationReport {
  schemas: Record<string, string>;
  objects: { apiVersion: string; kind: string; name: string }[];
  problems: string[];
}

/** The validator's verdict on manifests (YAML text). */
export function validateManifests(yamlText: string): ValidationReport {
  const run = spawnSync(validatorBinary(), [], { input: yamlText, encoding: "utf8" });
  if (run.status !== 0 && run.status !== 1)
    throw new Error(`the manifest validator failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as ValidationReport;
}

/** The one object of a kind whose component label is `component`. */
export function objectOf(manifests: Manifest[], kind: string, component: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && m.metadata.labels?.["app.kubernetes.io/component"] === component,
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind} of component ${component}, found ${found.length}`);
  return found[0] as Manifest;
}

export const hasObject = (manifests: Manifest[], kind: string, component: string): boolean =>
  manifests.some((m) => m.kind === kind && m.metadata.labels?.["app.kubernetes.io/component"] === component);

export const chartExists = (): boolean => existsSync(repoPath(CHART_DIR, "Chart.yaml"));
