#!/usr/bin/env bash
# Runs a command with the project's toolchain (Node 24 and pnpm) first on PATH, installing it into
# .tools/ when the machine's is older or missing: `npm run seed` and the like then work on a machine
# that has only Node and npm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
ensure_toolchain
exec "$@"
