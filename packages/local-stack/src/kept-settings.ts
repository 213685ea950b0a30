import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * What a service started on a kept data folder remembers there (its ports, its password), so a
 * start on the same folder comes back with the same URL. Undefined when the file is missing or
 * lacks one of `keys` (each a number or a string, as `kinds` says).
 */
export async function readKept<K extends string>(
  dir: string,
  file: string,
  kinds: Record<K, "number" | "string">,
): Promise<Record<K, number | string> | undefined> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(await readFile(join(dir, file), "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  for (const [key, kind] of Object.entries(kinds)) if (typeof parsed[key] !== kind) return undefined;
  return parsed as Record<K, number | string>;
}

/** Writes what readKept reads, readable by this user only (it may hold a password). */
export function writeKept(dir: string, file: string, values: Record<string, number | string>): Promise<void> {
  return writeFile(join(dir, file), JSON.stringify(values), { mode: 0o600 });
}
