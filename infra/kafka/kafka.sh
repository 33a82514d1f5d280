#!/usr/bin/env bash
# Single-node KRaft Kafka on 127.0.0.1:9092 (controller 127.0.0.1:9093), jars from Maven Central.
# Usage: infra/kafka/kafka.sh fetch|start|stop|status|clean
# DATA_DIR (default <repo>/.data) holds everything: kafka/lib, kafka/data, kafka/kafka.log, kafka/kafka.pid.
# KAFKA_PORT (default 9092) and KAFKA_CONTROLLER_PORT (default 9093) move the listeners, so a
# second, private broker (the fault-injection tests restart one) can run beside the shared one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA_DIR="${DATA_DIR:-$ROOT/.data}"
KDIR="$DATA_DIR/kafka"
LIB="$KDIR/lib"
LOGDIRS="$KDIR/data"
PROPS="$KDIR/server.properties"
LOG="$KDIR/kafka.log"
PIDFILE="$KDIR/kafka.pid"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
TIMEOUT=90
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JVM_OPTS=(-Xms256m -Xmx512m -Djava.awt.headless=true "-Dlog4j2.configurationFile=$HERE/log4j2.properties")

log() { echo "kafka: $*" >&2; }

# The lib dir is stamped with the pom's hash, so editing the pom (e.g. the version) triggers a re-fetch.
fetch() {
  local stamp
  stamp="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$LIB/.pom.sha256" && "$(cat "$LIB/.pom.sha256")" == "$stamp" ]]; then
    return 0
  fi
  log "fetching jars into $LIB"
  mkdir -p "$KDIR"
  rm -rf "$LIB.tmp"
  # sed: Debian's Maven 3.8.7 prints stray ANSI resets even with -B -q.
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB.tmp" 2>&1 | sed 's/\x1b\[0m//g' >&2
  echo "$stamp" > "$LIB.tmp/.pom.sha256"
  rm -rf "$LIB"
  mv "$LIB.tmp" "$LIB"
}

# Prints the recorded pid if that process is alive and is our broker (guards against pid reuse).
running_pid() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

# kill -0 alone would also accept a zombie (our own child after it exits, until bash reaps it).
alive() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ $st != Z* ]]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

fail() {
  log "$*"
  [[ -f "$LOG" ]] && { log "last 50 lines of $LOG:"; tail -n 50 "$LOG" >&2; }
  exit 1
}

start() {
  local pid cid t0
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    return 0
  fi
  port_open && { log "port $PORT is already in use by another process"; exit 1; }
  fetch
  mkdir -p "$LOGDIRS"
  sed -e "s|@LOG_DIRS@|$LOGDIRS|" -e "s|127.0.0.1:9092|127.0.0.1:$PORT|g" -e "s|127.0.0.1:9093|127.0.0.1:$CONTROLLER_PORT|g" \
    "$HERE/server.properties" > "$PROPS"
  [[ -f "$LOG" ]] && mv "$LOG" "$LOG.1"
  : > "$LOG"

  if [[ ! -f "$LOGDIRS/meta.properties" ]]; then
    log "formatting storage in $LOGDIRS"
    cid="$("$JAVA" -cp "$LIB/*" kafka.tools.StorageTool random-uuid)"
    "$JAVA" "${JVM_OPTS[@]}" -cp "$LIB/*" kafka.tools.StorageTool format -t "$cid" -c "$PROPS" --ignore-formatted >> "$LOG" 2>&1 \
      || fail "storage format failed"
  fi

  log "starting broker on 127.0.0.1:$PORT (log: $LOG)"
  rm -f "$PIDFILE"
  # setsid: own session, so Ctrl-C or a CI step killing its process group does not take the broker down.
  # The inner bash writes its own pid and then execs java, so the pid file holds the JVM's pid.
  nohup setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PIDFILE" \
    "$JAVA" "${JVM_OPTS[@]}" -cp "$LIB/*" kafka.Kafka "$PROPS" >> "$LOG" 2>&1 < /dev/null &

  t0=$SECONDS
  while (( SECONDS - t0 < TIMEOUT )); do
    sleep 0.5
    if ! pid="$(running_pid)"; then
      [[ -f "$PIDFILE" ]] && { rm -f "$PIDFILE"; fail "broker exited during startup"; }
      continue
    fi
    if port_open && grep -q 'Kafka Server started' "$LOG"; then
      log "ready (pid $pid) after $((SECONDS - t0)) s"
      return 0
    fi
  done
  log "not ready after ${TIMEOUT} s; last 50 lines of $LOG:"
  tail -n 50 "$LOG" >&2
  stop
  exit 1
}

stop() {
  local pid i
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    alive "$pid" || { rm -f "$PIDFILE"; log "stopped"; return 0; }
    sleep 0.5
  done
  log "still alive after 30 s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while alive "$pid"; do sleep 0.2; done
  rm -f "$PIDFILE"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open; then log "running (pid $pid), 127.0.0.1:$PORT answers"; else log "running (pid $pid), port $PORT not answering yet"; fi
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  clean) stop; rm -rf "$KDIR"; log "removed $KDIR" ;;
  *) echo "usage: $0 fetch|start|stop|status|clean" >&2; exit 2 ;;
esac
