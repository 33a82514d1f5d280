#!/usr/bin/env bash
# The whole test suite, from a clean clone: toolchain, dependencies, build, static checks,
# real services (Postgres, Redis, Kafka, Elasticsearch), then unit, integration and e2e tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh
ensure_toolchain

echo "==> install"
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
echo "==> build"
pnpm build
echo "==> static checks (contracts, supergraph, lint, layer rules)"
pnpm --filter @marketplace/event-contracts generate:check
pnpm compose:check
pnpm lint

echo "==> services"
bash scripts/services.sh start
# Quiet, so the test runner's summary stays the last lines of the output.
trap 'bash scripts/services.sh stop >/dev/null 2>&1' EXIT

echo "==> tests"
export NODE_ENV=test LOG_LEVEL=${LOG_LEVEL:-fatal} KAFKAJS_NO_PARTITIONER_WARNING=1
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci "$@"
