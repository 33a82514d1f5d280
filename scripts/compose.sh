#!/usr/bin/env bash
# Prints each subgraph's SDL into its committed schema.graphql, then composes them into
# supergraph.graphql. With --check nothing is written: it fails if any committed file is stale.
# Runs the compiled code, so `pnpm build` must have run first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
ensure_toolchain
cd "$ROOT"

check=""
case "${1:-}" in
  "") ;;
  --check) check="--check" ;;
  *) echo "usage: scripts/compose.sh [--check]" >&2; exit 2 ;;
esac
[ -f gateway/dist/compose.js ] || { echo "gateway/dist/compose.js not found: run pnpm build first" >&2; exit 1; }

printed="$(mktemp)"
trap 'rm -f "$printed"' EXIT
subgraphs="$(node gateway/dist/compose.js --list)"
stale=0
while IFS=$'\t' read -r name schema; do
  # The printer sits next to the schema file: subgraphs/<name>/dist/print-schema.js.
  printer="$(dirname "$schema")/dist/print-schema.js"
  [ -f "$printer" ] || { echo "$name: $printer not found: run pnpm build first" >&2; exit 1; }
  node "$printer" >"$printed"
  if [ -n "$check" ]; then
    if ! cmp -s "$printed" "$schema"; then
      echo "$schema is stale: run pnpm compose" >&2
      stale=1
    fi
  else
    # Copy rather than move: keeps the file's mode and leaves it whole if printing failed.
    cat "$printed" >"$schema"
    echo "printed $schema"
  fi
done <<<"$subgraphs"

# Compose even when a subgraph file is stale, so one run reports every stale file.
node gateway/dist/compose.js $check || stale=1
exit "$stale"
