// Reads a V8 CPU profile (node --cpu-prof) and lists the functions with the most self time.
import { readFileSync } from "node:fs";

/** Where a function lives, short: the package (or file) and line, not the machine's path. */
function shortWhere(url, line) {
  if (!url) return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  const rest = pkg ? `${pkg[1]}/${pkg[2]}` : path.replace(/^.*\/(packages|apps)\//, "$1/");
  return `${rest}:${line + 1}`;
}

/** The `limit` functions with the most self time: name, where, self ms and share of all samples. */
export function summariseCpuProfile(file, limit = 15) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  });
  const byFunction = new Map();
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
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
