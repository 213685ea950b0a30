// Reads a V8 CPU profile (node --cpu-prof) and lists the functions with the most self time.
import { readFileSync } from "node:fs";

/** The parts of a V8 .cpuprofile read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** One function of a profile: its self time and share of all samples (%). */
export interface ProfiledFunction {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Where a function lives, short: the package (or file) and line, not the machine's path. */
function shortWhere(url: string, line: number): string {
  if (!url) return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  const rest = pkg ? `${pkg[1]}/${pkg[2]}` : path.replace(/^.*\/(packages|apps)\//, "$1/");
  return `${rest}:${line + 1}`;
}

/** The `limit` functions with the most self time: name, where, self ms and share of all samples. */
export function summariseCpuProfile(file: string, limit = 15): ProfiledFunction[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  });
  const byFunction = new Map<string, { name: string; where: string; selfMs: number }>();
  for (const [id, ms] of selfMs) {
    const node = byNode.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    if (name === "(idle)" || name === "(program)") continue;
    const key = `${name}@${url}:${lineNumber}`;
    const entry = byFunction.get(key) ?? { name, where: shortWhere(url, lineNumber), selfMs: 0 };
    entry.selfMs += ms;
    byFunction.set(key, entry);
  }
  const busyMs = [...byFunction.values()].reduce((a, f) => a + f.selfMs, 0);
  return [...byFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit)
    .map((f) => ({
      name: f.name,
      where: f.where,
      selfMs: Math.round(f.selfMs),
      share: Math.round((1000 * f.selfMs) / busyMs) / 10,
    }));
}
