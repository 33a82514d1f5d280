#!/usr/bin/env bash
# `npm start` (or `pnpm start`): the marketplace on this machine.
#   default     the embedded profile: one Node process, embedded Postgres per subgraph (PGlite),
#               in-process event bus, Postgres full-text search, in-memory cache. Nothing else
#               to install; data in .data/embedded (delete it to start over).
#   --services  the services profile (or MARKETPLACE_PROFILE=services): Postgres, Redis, Kafka
#               and Elasticsearch, one process per subgraph (scripts/up.sh; stop: scripts/down.sh).
# Installs the toolchain and dependencies (which builds the workspace) when they are missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
profile="${MARKETPLACE_PROFILE:-embedded}"
args=()
for arg in "$@"; do
  case "$arg" in
    --services) profile=services ;;
    --embedded) profile=embedded ;;
    *) args+=("$arg") ;;
  esac
done
case "$profile" in
  services) exec bash scripts/up.sh ;;
  embedded) ;;
  *) echo "unknown profile '$profile': embedded or services" >&2; exit 2 ;;
esac

source scripts/lib/toolchain.sh
ensure_toolchain
if [ ! -d node_modules ] || [ ! -f embedded/dist/main.js ]; then
  echo "==> first run: installing dependencies and building (a minute or two, once)"
  pnpm install --frozen-lockfile --reporter=append-only | tail -n 2
fi
exec node embedded/dist/main.js ${args[@]+"${args[@]}"}
