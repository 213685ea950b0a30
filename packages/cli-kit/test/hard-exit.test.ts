import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const hardExitModule = fileURLToPath(new URL("../src/hard-exit.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "hard-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a Node script that imports hardExit; resolves with how the process ended. */
function run(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const script = `import { hardExit } from ${JSON.stringify(hardExitModule)};\n${body}`;
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", "--input-type=module", "-e", script],
    {
      stdio: "ignore",
    },
  );
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("hardExit", () => {
  it("exits with the code when nothing blocks", async () => {
    expect(await run("hardExit(7, 500);")).toEqual({ code: 7, signal: null });
  });

  it("still ends the process when a thread-pool thread is blocked and exit would hang", async () => {
    // Opening a FIFO that has no writer blocks a libuv pool thread for good, as a librdkafka
    // call waiting on a vanished broker does; a plain process.exit would then never return.
    const fifo = join(dir, "fifo");
    await new Promise<void>((resolve, reject) =>
      spawn("mkfifo", [fifo]).once("exit", (code) =>
        code === 0 ? resolve() : reject(new Error("mkfifo failed")),
      ),
    );
    const ended = await run(
      `import { readFile } from "node:fs";\nreadFile(${JSON.stringify(fifo)}, () => {});\nsetTimeout(() => hardExit(3, 500), 200);`,
    );
    expect(ended).toEqual({ code: null, signal: "SIGKILL" });
  });
});
