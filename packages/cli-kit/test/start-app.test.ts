import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MIN_NODE_MAJOR, nodeVersionProblem } from "../entry/start-app.mjs";

const startAppModule = new URL("../entry/start-app.mjs", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "start-app-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs startApp in its own process, since it sets the exit code of the process it runs in. */
function start(mainPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import { startApp } from ${JSON.stringify(startAppModule)};
await startApp("some-app", new URL(${JSON.stringify(pathToFileURL(mainPath).href)}));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

describe("nodeVersionProblem", () => {
  it("accepts the minimum major and later ones", () => {
    expect(MIN_NODE_MAJOR).toBe(22);
    for (const version of ["22.0.0", "22.23.3", "23.1.0", "24.11.1", "100.0.0"]) {
      expect(nodeVersionProblem("app", version), version).toBeUndefined();
    }
  });

  it("names the app, the version needed, the running one and the way out, on one line", () => {
    const line = nodeVersionProblem("deletor-worker", "20.20.2");
    expect(line).toBe(
      "deletor-worker: Node.js >= 22 is required (this is v20.20.2); run 'source scripts/toolchain.sh' or use the repository's wrapper (./nodew, ./pnpmw)",
    );
    for (const version of ["21.7.3", "18.20.8", "8.17.0", "not-a-version"]) {
      expect(nodeVersionProblem("producer", version), version).toMatch(
        new RegExp(`^producer: Node\\.js >= 22 is required \\(this is v${version}\\); [^\\n]+$`),
      );
    }
  });
});

describe("startApp", () => {
  it("loads the main module on a supported Node", async () => {
    const main = join(dir, "main.js");
    writeFileSync(main, 'process.stdout.write("main ran\\n");\nprocess.exitCode = 3;\n');
    expect(await start(main)).toEqual({ code: 3, stdout: "main ran\n", stderr: "" });
  });

  it("says the app is not built, and exits 1, when the main module is missing", async () => {
    const missing = join(dir, "dist", "main.js");
    const result = await start(missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `some-app: ${missing} is not built yet; run 'bash scripts/setup.sh' or './pnpmw build'\n`,
    );
  });
});
