#!/usr/bin/env bash
# One-command set-up: Node.js >= 22 and pnpm, the Kafka client's native build prerequisites
# when it has to be built from source, the workspace's dependencies, the local Kafka broker's
# jars, and a first build. Idempotent; everything slow is cached outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

log() { printf '[setup] %s\n' "$*" >&2; }

# The Kafka client first tries to download a prebuilt librdkafka binding; where that is not
# reachable it builds one from source, which needs these Debian packages. They are installed
# only when missing and only where apt-get can run (root on Debian/Ubuntu).
NATIVE_BUILD_DEBS=(build-essential python3 libssl-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for deb in "${NATIVE_BUILD_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing native build prerequisites: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "note: ${missing[*]} not installed; needed only if the Kafka client must be built from source"
  fi
fi

# The console's browser test drives Debian's Chromium (Playwright's own browser download cannot
# be reached everywhere). Installed only when missing and where apt-get can run; the test names
# what is missing when it is absent.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium for the console's browser test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "note: chromium is not installed; the console's browser test needs it (apt-get install chromium)"
  fi
fi

# Used only by a source build: link librdkafka against the system's OpenSSL, zstd, curl,
# SASL and lz4 instead of downloading their sources. A prebuilt binary ignores it.
export CKJS_LINKING=dynamic

log "installing workspace dependencies (pnpm $(pnpm --version), node $(node --version))"
pnpm install --frozen-lockfile

log "provisioning the local Kafka broker (jars from Maven Central, cached)"
node packages/local-stack/bin/provision-kafka.mjs

# The Resonate server for tests and local runs where no Docker engine runs its image: the
# upstream release binary, given as its xz archive, unpacked into the cache once.
if [ -n "${RESONATE_SERVER_ARCHIVE:-}" ]; then
  log "provisioning the Resonate server from $RESONATE_SERVER_ARCHIVE"
  node packages/local-stack/bin/provision-resonate.mjs "$RESONATE_SERVER_ARCHIVE" >/dev/null
fi

# Helm for the chart's checks in tests/deploy (deploy/helm): built from its Go module at one
# version into the cache once, and the modules of the chart's manifest validator fetched.
HELM_VERSION=v3.21.4
HELM_DIR="$BATCH_DELETION_CACHE/helm-$HELM_VERSION/bin"
GO_BIN="$(command -v go || echo /usr/local/go/bin/go)"
if [ ! -x "$HELM_DIR/helm" ]; then
  if [ -x "$GO_BIN" ]; then
    log "installing helm $HELM_VERSION from the Go module proxy into $HELM_DIR"
    GOBIN="$HELM_DIR" "$GO_BIN" install -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  else
    log "note: Go is missing, so helm $HELM_VERSION is not installed; the chart's tests in tests/deploy need it"
  fi
fi
if [ -x "$GO_BIN" ]; then
  (cd deploy/helm/validate && "$GO_BIN" mod download)
fi

log "building"
pnpm turbo run build

log "done. Next, run the whole pipeline: ./pnpmw demo   (./pnpmw and ./nodew are pnpm and node with Node 22; see README.md)"
