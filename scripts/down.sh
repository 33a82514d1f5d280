#!/usr/bin/env bash
# Stops what scripts/up.sh started: the services by their recorded pids, then the infrastructure.
# Each process gets SIGTERM and runs its graceful stop (platform README, Graceful stop): the
# gateway first, so nothing new reaches the subgraphs, then the sidecar and every subgraph at
# once. A process still running after STOP_WAIT_SECONDS (default 30: the drain delay, the grace
# and the last phases fit in it) gets SIGKILL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.data/run"
WAIT="${STOP_WAIT_SECONDS:-30}"

stop() { # name...: SIGTERM to each, then wait for all of them
  local name pid pids=()
  for name in "$@"; do
    [ -f "$RUN/$name.pid" ] || continue
    pid=$(cat "$RUN/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      pids+=("$name:$pid")
    else
      rm -f "$RUN/$name.pid"
    fi
  done
  local deadline=$((SECONDS + WAIT)) entry
  for entry in "${pids[@]}"; do
    name=${entry%%:*} pid=${entry##*:}
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"
      echo "$name killed (still running after ${WAIT}s)"
    else
      echo "$name stopped"
    fi
    rm -f "$RUN/$name.pid"
  done
}

stop gateway
# Everything else up.sh recorded a pid for: the sidecar and every subgraph it started.
shopt -s nullglob
others=()
for pidfile in "$RUN"/*.pid; do others+=("$(basename "$pidfile" .pid)"); done
stop ${others[@]+"${others[@]}"}
bash "$ROOT/scripts/services.sh" stop
