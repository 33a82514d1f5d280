#!/usr/bin/env bash
# The whole test suite, from a clean clone: toolchain, dependencies, build, static checks,
# real services (Postgres, Redis, Kafka, Elasticsearch; Chromium for the explorer's browser
# test), then unit, integration, e2e, security and fault tests. Every port's contract suite
# runs on both profiles' adapters, and the embedded profile is started end to end.
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
# The explorer's browser test drives Debian's Chromium (playwright-core, /usr/bin/chromium).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing chromium (Debian package) for the browser test"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } ||
    echo "could not install chromium: the explorer's browser test will fail" >&2
fi
# Quiet, so the test runner's summary stays the last lines of the output.
trap 'bash scripts/services.sh stop >/dev/null 2>&1' EXIT

echo "==> tests"
export NODE_ENV=test LOG_LEVEL=${LOG_LEVEL:-fatal} KAFKAJS_NO_PARTITIONER_WARNING=1
# No --forceExit: it prints a line after the summary, which must stay the last lines of the output.
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci "$@"
