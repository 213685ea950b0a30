import { fileURLToPath } from "node:url";

/** The monorepo root, two levels above this folder (tests/integration/support). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The entry people run for an app (its package.json bin, named after the app's folder): it
 * checks the Node.js version, then loads the build, so run `pnpm turbo run build` first.
 */
export const appEntry = (appName: string): string =>
  fileURLToPath(new URL(`../../../apps/${appName}/bin/${appName}.mjs`, import.meta.url));
