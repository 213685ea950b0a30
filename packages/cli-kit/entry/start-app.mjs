// Plain JavaScript, never compiled, with no imports that need a recent Node.js: an app's bin
// entry loads only this module before the app itself, so on an older Node the user reads which
// version is needed instead of an error from deep inside a dependency (a native addon built for
// another ABI, `Promise.withResolvers is not a function` from @resonatehq/sdk).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The oldest Node.js major the apps run on; the packages' "engines" say the same. */
export const MIN_NODE_MAJOR = 22;

/**
 * The line to print when Node.js `version` (a `process.versions.node` value) cannot run `app`,
 * or undefined when it can.
 * @param {string} app
 * @param {string} version
 * @returns {string | undefined}
 */
export function nodeVersionProblem(app, version) {
  if (Number.parseInt(version, 10) >= MIN_NODE_MAJOR) return undefined;
  return (
    `${app}: Node.js >= ${MIN_NODE_MAJOR} is required (this is v${version}); ` +
    "run 'source scripts/toolchain.sh' or use the repository's wrapper (./nodew, ./pnpmw)"
  );
}

/**
 * Runs the app's compiled main module after checking the running Node.js; on a problem prints
 * one line and leaves exit code 1.
 * @param {string} app the command's name, as the user typed it
 * @param {URL} mainUrl the compiled entry, e.g. new URL("../dist/main.js", import.meta.url)
 * @returns {Promise<void>}
 */
export async function startApp(app, mainUrl) {
  const problem = nodeVersionProblem(app, process.versions.node);
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 1;
    return;
  }
  // A fresh clone has no dist/ until the build; say so rather than ERR_MODULE_NOT_FOUND.
  if (!existsSync(mainUrl)) {
    process.stderr.write(
      `${app}: ${fileURLToPath(mainUrl)} is not built yet; run 'bash scripts/setup.sh' or './pnpmw build'\n`,
    );
    process.exitCode = 1;
    return;
  }
  await import(mainUrl.href);
}
