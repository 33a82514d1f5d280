#!/usr/bin/env bash
# Brings the whole marketplace up on this machine: toolchain, dependencies, build, composed
# supergraph, infrastructure (Postgres and Redis checked, Kafka and Elasticsearch started),
# then the webhook sidecar, every subgraph of platform/src/registry.ts (each with its outbox
# relay and consumers) and the gateway.
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
export ACCOUNTS_ADMIN_EMAIL="${ACCOUNTS_ADMIN_EMAIL:-admin@marketplace.local}"
export ACCOUNTS_ADMIN_PASSWORD="${ACCOUNTS_ADMIN_PASSWORD:-local-dev-passphrase-2026}"
# Development payment settings: the sandbox provider (off unless enabled) approves or declines
# by test card and signs its webhooks for the sidecar with this secret. Real providers are enabled by their keys
# (STRIPE_SECRET_KEY, RAZORPAY_KEY_ID/RAZORPAY_KEY_SECRET) and webhook secrets.
export PAYMENTS_SANDBOX_ENABLED="${PAYMENTS_SANDBOX_ENABLED:-true}"
export SANDBOX_WEBHOOK_SECRET="${SANDBOX_WEBHOOK_SECRET:-whsec_sandbox_local_development}"
export SANDBOX_WEBHOOK_URL="${SANDBOX_WEBHOOK_URL:-http://127.0.0.1:4012/webhooks/sandbox}"
start webhooks webhooks/dist/main.js 4012
# Every subgraph of the registry (platform/src/registry.ts), on its port.
mapfile -t subgraphs < <(node scripts/registry.ts --list)
[ "${#subgraphs[@]}" -gt 0 ] || { echo "could not read the subgraph registry" >&2; exit 1; }
for entry in "${subgraphs[@]}"; do
  IFS=$'\t' read -r name port _database <<<"$entry"
  start "$name" "subgraphs/$name/dist/main.js" "$port"
done
start gateway gateway/dist/main.js 4000

cat <<INFO

Marketplace is up.
  GraphQL endpoint : http://127.0.0.1:4000/graphql
  Schema explorer  : http://127.0.0.1:4000/explorer
  Admin sign-in    : mutation { login(input: { email: "$ACCOUNTS_ADMIN_EMAIL", password: "$ACCOUNTS_ADMIN_PASSWORD" }) { ... on AuthPayload { accessToken } } }
                     (send the token as header Authorization: Bearer <accessToken>; buyers and
                     sellers sign up with registerBuyer / registerSeller, an admin approves stores)
  Logs and pids    : .data/run/
  Stop everything  : scripts/down.sh
INFO
