import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { Assets } from "./console-app.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The built page's files (a flat folder), read once: the page is small and never changes while running. */
export function loadAssets(dir: string): Assets {
  const assets = new Map<string, { body: Uint8Array; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  if (!assets.has("index.html")) throw new Error(`no index.html in ${dir}: build the page first`);
  return assets;
}
