#!/usr/bin/env bash
# One-command test: lint, typecheck, build and every test suite (unit and integration, the
# latter against a real Kafka broker the test kit starts), then one summary line over all suites
# and, when anything failed, which step it was (the last lines are what a CI log shows first).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

find . -name test-results.json -not -path "*/node_modules/*" -delete
rm -rf .turbo/runs
failed_steps=()
step() {
  local name=$1
  shift
  "$@" || failed_steps+=("$name (exit $?)")
}
# The whole tree once (root files and scripts included); per-package lint runs in turbo too.
step "biome check ." pnpm exec biome check .
# Suites that start brokers, servers and databases get the machine to themselves: at most two
# tasks at a time, and the integration suite (many processes) after everything else. Each turbo
# run writes a summary of its tasks (.turbo/runs), from which the failed ones are named below.
step "packages: lint typecheck build test" pnpm turbo run lint typecheck build test \
  --filter='!@deletion/integration-tests' --concurrency=2 --continue --output-logs=new-only \
  --log-order=grouped --summarize
step "integration: lint typecheck test" pnpm turbo run lint typecheck test \
  --filter=@deletion/integration-tests --continue --output-logs=new-only --log-order=grouped \
  --summarize
step "test summary" node scripts/test-summary.mjs
if ((${#failed_steps[@]} > 0)); then
  node scripts/failed-tasks.mjs || true
  printf 'test.sh: failed: %s\n' "${failed_steps[@]}"
  exit 1
fi
