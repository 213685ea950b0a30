#!/usr/bin/env bash
# One-command test: lint, typecheck, build and every test suite (unit and integration, the
# latter against a real Kafka broker the test kit starts), then one summary line over all suites.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

find . -name test-results.json -not -path "*/node_modules/*" -delete
status=0
# The whole tree once (root files and scripts included); per-package lint runs in turbo too.
pnpm exec biome check . || status=$?
# Suites that start brokers, servers and databases get the machine to themselves: at most two
# tasks at a time, and the integration suite (many processes) after everything else.
pnpm turbo run lint typecheck build test --filter='!@deletion/integration-tests' --concurrency=2 \
  --continue --output-logs=new-only --log-order=grouped || status=$?
pnpm turbo run lint typecheck test --filter=@deletion/integration-tests \
  --continue --output-logs=new-only --log-order=grouped || status=$?
node scripts/test-summary.mjs || status=$?
exit "$status"
