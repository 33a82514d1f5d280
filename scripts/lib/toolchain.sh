# Sourced by every project script: puts Node 24 and pnpm on PATH.
# The machine's own Node may be older; then Node 24 and pnpm are installed from the
# npm registry into .tools/ (project-local, no global changes).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
NODE_MAJOR_WANTED=24
PNPM_VERSION=10.34.8

_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_toolchain() {
  local tools="$ROOT/.tools"
  if command -v node >/dev/null && [ "$(_node_major node)" -ge "$NODE_MAJOR_WANTED" ] && command -v pnpm >/dev/null; then
    return 0
  fi
  if [ ! -x "$tools/node_modules/.bin/node" ] || [ "$(_node_major "$tools/node_modules/.bin/node")" -lt "$NODE_MAJOR_WANTED" ] \
     || [ ! -e "$tools/node_modules/.bin/pnpm" ]; then
    command -v npm >/dev/null || { echo "npm is required to install Node $NODE_MAJOR_WANTED (install nodejs/npm first)" >&2; return 1; }
    echo "==> installing Node $NODE_MAJOR_WANTED and pnpm $PNPM_VERSION into .tools/ (npm registry)"
    mkdir -p "$tools"
    npm install --silent --no-save --no-audit --no-fund --prefix "$tools" "node@$NODE_MAJOR_WANTED" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
  [ "$(_node_major node)" -ge "$NODE_MAJOR_WANTED" ] || { echo "Node $NODE_MAJOR_WANTED could not be installed" >&2; return 1; }
}
