#!/usr/bin/env bash
# Single-node Elasticsearch 8.x for local development and CI, without Docker.
#
# Fetches org.elasticsearch.distribution.integ-test-zip:elasticsearch:<es.version>:zip
# from Maven Central (see pom.xml next to this script), unpacks it under
# $DATA_DIR/elasticsearch and runs it on 127.0.0.1 only, security off.
#
#   infra/elasticsearch/elasticsearch.sh fetch    download the zip (skipped if present)
#   infra/elasticsearch/elasticsearch.sh start    fetch + unpack + configure + start, wait until ready
#   infra/elasticsearch/elasticsearch.sh stop     stop the recorded pid (SIGTERM, SIGKILL after 30 s)
#   infra/elasticsearch/elasticsearch.sh status   exit 0 if running, 3 if not
#   infra/elasticsearch/elasticsearch.sh clean    stop, then delete data/logs/config/unpacked dist (keeps the zip)
#
# Environment:
#   DATA_DIR       default <repo>/.data ; everything goes to $DATA_DIR/elasticsearch
#   ES_VERSION     default: <es.version> from pom.xml
#   ES_HTTP_PORT   default 9200 ; ES_TRANSPORT_PORT default 9300
#   ES_HEAP        default 512m
#   ES_JAVA_HOME   default: $JAVA_HOME, else the JDK of `java` on PATH (Java 17+; no JDK is bundled)
#   ES_USER        user that runs ES when this script runs as root (default esrunner,
#                  created as a system user if missing). Elasticsearch refuses to run as root.
#   ES_START_TIMEOUT  seconds to wait for readiness, default 120
#   MVN            maven command, default mvn
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
DATA_DIR="${DATA_DIR:-$ROOT/.data}"
ES_DIR="$DATA_DIR/elasticsearch"
POM="$SCRIPT_DIR/pom.xml"

ES_VERSION="${ES_VERSION:-$(sed -n 's:.*<es.version>\(.*\)</es.version>.*:\1:p' "$POM" | head -n1)}"
[ -n "$ES_VERSION" ] || { echo "elasticsearch: cannot read es.version from $POM" >&2; exit 1; }

ES_HTTP_PORT="${ES_HTTP_PORT:-9200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER="${ES_USER:-esrunner}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-120}"
MVN="${MVN:-mvn}"

ZIP="$ES_DIR/elasticsearch-$ES_VERSION.zip"
ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
CONF_DIR="$ES_DIR/config"
PATH_DATA="$ES_DIR/data"
PATH_LOGS="$ES_DIR/logs"
ES_TMP="$ES_DIR/tmp"
PID_FILE="$ES_DIR/es.pid"
CLUSTER_NAME="dev-es"
NODE_NAME="node-1"
LOG_FILE="$PATH_LOGS/$CLUSTER_NAME.log"
CONSOLE_LOG="$PATH_LOGS/console.out"
LAUNCHER_PID=""
START_MARK="$ES_DIR/.start-mark"
BASE_URL="http://127.0.0.1:$ES_HTTP_PORT"

log() { echo "elasticsearch: $*"; }
die() { echo "elasticsearch: $*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers

# pid from the pid file if that process is alive and is an Elasticsearch JVM.
running_pid() {
  [ -s "$PID_FILE" ] || return 1
  local pid
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse after a crash: must be the ES server JVM
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'org.elasticsearch' || return 1
  fi
  echo "$pid"
}

is_healthy() {
  curl -fsS -m 10 "$BASE_URL/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1
}

pick_java_home() {
  local jh="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
  if [ -z "$jh" ]; then
    local j
    j="$(command -v java || true)"
    [ -n "$j" ] || die "no java found: set ES_JAVA_HOME to a JDK 17+"
    jh="$(dirname "$(dirname "$(readlink -f "$j")")")"
  fi
  [ -x "$jh/bin/java" ] || die "ES_JAVA_HOME=$jh has no bin/java"
  local major
  major="$("$jh/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  [ -n "$major" ] && [ "$major" -ge 17 ] || die "Elasticsearch 8 needs Java 17+, $jh is Java ${major:-?}"
  echo "$jh"
}

# user that runs the server: ES_USER when we are root, the current user otherwise
run_user() {
  if [ "$(id -u)" -eq 0 ]; then echo "$ES_USER"; else id -un; fi
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    log "creating system user $ES_USER (Elasticsearch refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
  fi
  # the user must be able to traverse every parent of ES_DIR
  if ! runuser -u "$ES_USER" -- test -x "$ES_DIR" 2>/dev/null; then
    die "user $ES_USER cannot reach $ES_DIR (a parent directory is not world-executable). Set DATA_DIR to a reachable place, e.g. DATA_DIR=/var/tmp/dev-data"
  fi
}

as_es_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- commands

cmd_fetch() {
  if [ -s "$ZIP" ]; then
    log "already fetched: $ZIP"
    return 0
  fi
  command -v "$MVN" >/dev/null || die "maven ($MVN) not found"
  mkdir -p "$ES_DIR"
  local tmp="$ES_DIR/.download"
  rm -rf "$tmp"
  log "fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip from Maven Central"
  local out
  if ! out="$("$MVN" -B -q -C -Dstyle.color=never -f "$POM" dependency:copy@fetch-es \
      -Des.version="$ES_VERSION" -Des.download.dir="$tmp" 2>&1)"; then
    echo "$out" >&2
    die "maven could not fetch the distribution"
  fi
  [ -s "$tmp/elasticsearch-$ES_VERSION.zip" ] || die "maven did not produce $tmp/elasticsearch-$ES_VERSION.zip"
  mv "$tmp/elasticsearch-$ES_VERSION.zip" "$ZIP"
  rm -rf "$tmp"
  log "fetched $ZIP"
}

unpack() {
  if [ -x "$ES_HOME/bin/elasticsearch" ]; then return 0; fi
  local tmp="$ES_DIR/.unpack"
  rm -rf "$tmp" && mkdir -p "$tmp"
  log "unpacking $(basename "$ZIP")"
  if command -v unzip >/dev/null; then
    unzip -q "$ZIP" -d "$tmp"
  else
    (cd "$tmp" && "$JAVA_HOME_ES/bin/jar" xf "$ZIP")
    chmod +x "$tmp/elasticsearch-$ES_VERSION"/bin/*
  fi
  [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] || die "unexpected zip layout in $ZIP"
  rm -rf "$ES_HOME"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
}

write_config() {
  mkdir -p "$CONF_DIR/jvm.options.d" "$PATH_DATA" "$PATH_LOGS" "$ES_TMP"
  # start from the distribution's defaults (jvm.options, log4j2.properties, ...)
  local f
  for f in jvm.options log4j2.properties role_mapping.yml roles.yml users users_roles; do
    [ -e "$ES_HOME/config/$f" ] && cp -f "$ES_HOME/config/$f" "$CONF_DIR/$f"
  done

  {
    echo "# generated by infra/elasticsearch/elasticsearch.sh - edits are overwritten on start"
    echo "cluster.name: $CLUSTER_NAME"
    echo "node.name: $NODE_NAME"
    echo "path.data: $PATH_DATA"
    echo "path.logs: $PATH_LOGS"
    echo "network.host: 127.0.0.1"
    echo "http.host: 127.0.0.1"
    echo "http.port: $ES_HTTP_PORT"
    echo "transport.host: 127.0.0.1"
    echo "transport.port: $ES_TRANSPORT_PORT"
    echo "discovery.type: single-node"
    echo "xpack.security.enabled: false"
    echo "action.destructive_requires_name: false"
    # dev machines often have full-ish disks; don't flip indices read-only
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    # settings of modules that reach the network: only valid if the module exists
    # (the integ-test-zip has neither; a full distribution has both)
    if [ -d "$ES_HOME/modules/ingest-geoip" ]; then
      echo "ingest.geoip.downloader.enabled: false"
    fi
    if [ -d "$ES_HOME/modules/x-pack-ml" ]; then
      echo "xpack.ml.enabled: false"
    fi
  } > "$CONF_DIR/elasticsearch.yml"

  printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" > "$CONF_DIR/jvm.options.d/heap.options"

  if [ "$(id -u)" -eq 0 ]; then
    # ES writes its keystore into the config dir, its pid file into ES_DIR
    chown "$ES_USER" "$ES_DIR"
    chown -R "$ES_USER" "$CONF_DIR" "$PATH_DATA" "$PATH_LOGS" "$ES_TMP"
  fi
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $BASE_URL"
    return 0
  fi
  rm -f "$PID_FILE"
  if curl -s -m 3 -o /dev/null "$BASE_URL/" 2>/dev/null; then
    die "something else already answers on $BASE_URL (not the pid in $PID_FILE); refusing to start"
  fi

  JAVA_HOME_ES="$(pick_java_home)"
  mkdir -p "$ES_DIR"
  ensure_user
  cmd_fetch
  unpack
  write_config

  log "starting Elasticsearch $ES_VERSION as $(run_user) (java: $JAVA_HOME_ES, heap $ES_HEAP)"
  local t0=$SECONDS
  : > "$CONSOLE_LOG" 2>/dev/null || true
  touch "$START_MARK"
  # -d: daemonize once the node has started; -p: the server JVM writes its pid.
  # set -m puts the launcher in its own process group, so a failed start can be
  # cleaned up by that recorded group id.
  set -m
  (
    cd "$ES_DIR"
    as_es_user env \
      ES_JAVA_HOME="$JAVA_HOME_ES" \
      ES_PATH_CONF="$CONF_DIR" \
      ES_TMPDIR="$ES_TMP" \
      ES_JAVA_OPTS="${ES_JAVA_OPTS:-}" \
      "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE"
  ) >> "$CONSOLE_LOG" 2>&1 < /dev/null &
  LAUNCHER_PID=$!
  set +m

  local deadline=$((SECONDS + ES_START_TIMEOUT))
  while :; do
    if is_healthy; then
      wait "$LAUNCHER_PID" 2>/dev/null || true
      pid="$(running_pid || true)"
      log "ready on $BASE_URL (pid ${pid:-?}) after $((SECONDS - t0)) s"
      return 0
    fi
    if ! kill -0 "$LAUNCHER_PID" 2>/dev/null && ! running_pid >/dev/null; then
      local rc=0
      wait "$LAUNCHER_PID" 2>/dev/null || rc=$?
      fail_start "launcher exited (code $rc) and no server process is alive"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail_start "not ready after ${ES_START_TIMEOUT} s"
    fi
    sleep 1
  done
}

fail_start() {
  echo "elasticsearch: start failed: $*" >&2
  local f
  for f in "$CONSOLE_LOG" "$LOG_FILE"; do
    # the server log is appended across runs: show it only if this run wrote to it
    if [ -s "$f" ] && { [ "$f" = "$CONSOLE_LOG" ] || [ "$f" -nt "$START_MARK" ]; }; then
      echo "----- last 50 lines of $f -----" >&2
      tail -n 50 "$f" >&2
    fi
  done
  # don't leave a half-started server behind
  if running_pid >/dev/null; then cmd_stop >&2 || true; fi
  if [ -n "${LAUNCHER_PID:-}" ] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    kill -TERM -- "-$LAUNCHER_PID" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$LAUNCHER_PID" 2>/dev/null || true
  fi
  exit 1
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    local health
    health="$(curl -fsS -m 5 "$BASE_URL/_cluster/health" 2>/dev/null || echo '(health endpoint not answering)')"
    log "running (pid $pid) on $BASE_URL: $health"
    return 0
  fi
  log "not running"
  return 3
}

cmd_clean() {
  cmd_stop
  log "removing data, logs, config and unpacked distribution under $ES_DIR (keeping the zip)"
  rm -rf "$PATH_DATA" "$PATH_LOGS" "$CONF_DIR" "$ES_TMP" "$ES_DIR/.unpack" "$ES_DIR/.download" "$START_MARK" \
    "$ES_DIR"/elasticsearch-*/
}

case "${1:-}" in
  fetch)  cmd_fetch ;;
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  clean)  cmd_clean ;;
  *) echo "usage: $0 {fetch|start|stop|status|clean}" >&2; exit 2 ;;
esac
