// Names every turbo task that failed in this test run (from the run summaries turbo writes with
// --summarize into .turbo/runs) and prints the end of its log, so the last lines of a CI log say
// what failed even when the failure scrolled by an hour earlier.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const TAIL_LINES = 60;
const root = new URL("..", import.meta.url).pathname;
const runsDir = join(root, ".turbo", "runs");
const runs = existsSync(runsDir) ? readdirSync(runsDir).filter((name) => name.endsWith(".json")) : [];
for (const name of runs) {
  const summary = JSON.parse(readFileSync(join(runsDir, name), "utf8"));
  for (const task of summary.tasks ?? []) {
    const exitCode = task.execution?.exitCode;
    if (exitCode === 0 || exitCode === undefined) continue;
    console.log(`\nFAILED TASK ${task.taskId} (exit ${exitCode}); the end of its log:`);
    const log = task.logFile ? join(root, task.logFile) : undefined;
    if (log && existsSync(log)) {
      const lines = readFileSync(log, "utf8").trimEnd().split("\n");
      for (const line of lines.slice(-TAIL_LINES)) console.log(`  ${line}`);
    } else console.log("  (no log file)");
  }
}
