#!/usr/bin/env bash
# Brings the whole marketplace up on this machine: toolchain, dependencies, build, composed
# supergraph, infrastructure (Postgres and Redis checked, Kafka and Elasticsearch started),
# then the three subgraphs (each with its outbox relay and consumers) and the gateway.
# Processes run in the background; their pids and logs are in .data/run. Stop: scripts/down.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh
ensure_toolchain
RUN="$ROOT/.data/run"
mkdir -p "$RUN"

echo "==> install and build"
pnpm install --frozen-lockfile --reporter=append-only | tail -n 2
pnpm build
pnpm compose:check
echo "==> infrastructure"
bash scripts/services.sh start

start() { # name entry port
  local name=$1 entry=$2 port=$3 pidfile="$RUN/$1.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$pidfile"))"
    return
  fi
  nohup node "$entry" >"$RUN/$name.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then
      echo "$name ready on http://127.0.0.1:$port"
      return
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.5
  done
  echo "$name did not become ready; last log lines:" >&2
  tail -n 40 "$RUN/$name.log" >&2
  exit 1
}

echo "==> services"
start products subgraphs/products/dist/main.js 4001
start inventory subgraphs/inventory/dist/main.js 4002
start search subgraphs/search/dist/main.js 4003
start gateway gateway/dist/main.js 4000

token=$(cd "$ROOT/tests" && node --input-type=module -e "
  import { signAccessToken, loadConfig } from '@marketplace/platform';
  import { newId } from '@marketplace/shared-kernel';
  const t = await signAccessToken({ userId: newId(), role: 'seller', sellerId: newId() }, loadConfig().jwtSecret, 8 * 3600);
  console.log(t);" 2>/dev/null || true)
cat <<INFO

Marketplace is up.
  GraphQL endpoint : http://127.0.0.1:4000/graphql
  Schema explorer  : http://127.0.0.1:4000/explorer
  Logs and pids    : .data/run/
  Stop everything  : scripts/down.sh
INFO
if [ -n "$token" ]; then
  echo "  Dev seller token (8 h; paste as header Authorization: Bearer <token>):"
  echo "    $token"
fi
