import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The deletor worker's built entry point (apps/deletor-worker/dist/main.js): what is measured. */
export const WORKER_MAIN = new URL(
  "dist/main.js",
  `file://${require.resolve("@deletion/deletor-worker/package.json")}`,
).pathname;

/** A script of src/children/ (run as a child process: a baseline consumer, the memory probe). */
export const childScript = (file: string): string => new URL(`../children/${file}`, import.meta.url).pathname;

/**
 * Node flags a child that runs one of these TypeScript files needs: type stripping (on by default
 * from Node 22.18, behind this flag from 22.6).
 */
export const TS_NODE_ARGS: readonly string[] = ["--experimental-strip-types"];
