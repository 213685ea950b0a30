// Adds up the vitest JSON reports of every workspace package into one line:
// "N passed, N failed, N skipped", and lists failed and skipped tests by name. Tests that run
// against a real Resonate server carry SERVER_MARK in their name (tests/integration/fixtures/
// modes.ts); the line says how many of them ran, so a run without a server cannot pass unseen.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const reports = [];
for (const group of ["apps", "packages", "tests"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, "test-results.json");
    if (existsSync(file))
      reports.push({ name: `${group}/${name}`, report: JSON.parse(readFileSync(file, "utf8")) });
  }
}

const SERVER_MARK = "[server]";
const server = { passed: 0, failed: 0, skipped: 0 };
let passed = 0;
let failed = 0;
let skipped = 0;
const notes = [];
for (const { name, report } of reports) {
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.fullName?.includes(SERVER_MARK)) {
        const status = test.status === "passed" || test.status === "failed" ? test.status : "skipped";
        server[status]++;
      }
      if (test.status === "passed") passed++;
      else if (test.status === "failed") {
        failed++;
        notes.push(`FAILED  ${name}: ${test.fullName}`);
      } else {
        skipped++;
        notes.push(`SKIPPED ${name}: ${test.fullName}`);
      }
    }
    if (file.status === "failed" && (file.assertionResults ?? []).length === 0) {
      failed++;
      notes.push(`FAILED  ${name}: ${file.name} (${(file.message ?? "suite failed").split("\n")[0]})`);
    }
  }
}
console.log(`\nTest suites: ${reports.length} packages reported`);
for (const note of notes) console.log(note);
if (reports.length === 0) {
  console.log("0 passed, 1 failed (no test reports were written)");
  process.exit(1);
}
console.log(
  `${passed} passed, ${failed} failed, ${skipped} skipped (against the Resonate server: ${server.passed} passed, ${server.failed} failed, ${server.skipped} skipped)`,
);
process.exit(failed > 0 ? 1 : 0);
