import { mkdir, readFile, writeFile } from "node:fs/promises";

/** bench/results/: the committed results live there, beside the benchmarks. */
export const DEFAULT_RESULTS_DIR = new URL("../../results/", import.meta.url);

/** Writes <dir>/<name>.json (the figures) and <dir>/<name>.md (the table people read). */
export async function writeResults(
  dir: URL,
  name: string,
  results: unknown,
  markdown: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(new URL(`${name}.json`, dir), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(new URL(`${name}.md`, dir), markdown);
}

/** Writes one more file (a plot) beside the results. */
export async function writeResultFile(dir: URL, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(new URL(file, dir), text);
}

/** The last <dir>/<name>.json, or undefined when there is none (or it does not parse). */
export async function readResults<T>(dir: URL, name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(new URL(`${name}.json`, dir), "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** readResults for --render: exits 1 with a message when there is nothing to render. */
export async function lastResultsOrExit<T>(benchmark: string, dir: URL, name: string): Promise<T> {
  const last = await readResults<T>(dir, name);
  if (last === undefined) {
    console.error(`${benchmark}: no results to render in ${new URL(`${name}.json`, dir).pathname}`);
    process.exit(1);
  }
  return last;
}
