import { fileURLToPath } from "node:url";

/** The monorepo root, two levels above this folder (tests/integration/support). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The built entry point of an app: run `pnpm turbo run build` first. */
export const appEntry = (appName: string): string =>
  fileURLToPath(new URL(`../../../apps/${appName}/dist/main.js`, import.meta.url));
