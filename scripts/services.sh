#!/usr/bin/env bash
# Starts or stops the infrastructure the marketplace needs, without Docker:
# PostgreSQL and Redis must already run on 127.0.0.1 (they are checked, not started);
# Kafka and Elasticsearch are fetched from Maven Central and run from .data/.
# Only what this script started is stopped again (recorded in .data/started-by-us).
# Usage: scripts/services.sh start|stop|status
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${DATA_DIR:-$ROOT/.data}"
MARK="$DATA_DIR/started-by-us"
mkdir -p "$DATA_DIR"

# Elasticsearch runs as an unprivileged user that must be able to reach its data folder;
# a checkout under a private home directory gets its Elasticsearch data under /var/tmp.
es_data_dir() {
  local dir="$ROOT"
  while [ "$dir" != "/" ]; do
    if [ "$(stat -c %A "$dir" | cut -c10)" != "x" ]; then
      echo "/var/tmp/marketplace-$(echo "$ROOT" | sha256sum | cut -c1-12)"
      return
    fi
    dir="$(dirname "$dir")"
  done
  echo "$DATA_DIR"
}

check_postgres() {
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432. Start it, e.g.:" >&2
    echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start   (or: docker compose up -d postgres)" >&2
    return 1
  fi
}

check_redis() {
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    echo "Redis is not answering on 127.0.0.1:6379. Start it, e.g.:" >&2
    echo "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no   (or: docker compose up -d redis)" >&2
    return 1
  fi
}

command -v java >/dev/null || { echo "Java 17+ is required for Kafka and Elasticsearch (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }

case "${1:-}" in
  start)
    check_postgres
    check_redis
    command -v mvn >/dev/null || { echo "Maven is required to fetch Kafka and Elasticsearch (apt-get install maven)" >&2; exit 1; }
    if ! bash "$ROOT/infra/kafka/kafka.sh" status >/dev/null 2>&1; then
      DATA_DIR="$DATA_DIR" bash "$ROOT/infra/kafka/kafka.sh" start
      echo kafka >> "$MARK"
    fi
    ES_DATA="$(es_data_dir)"
    if ! DATA_DIR="$ES_DATA" bash "$ROOT/infra/elasticsearch/elasticsearch.sh" status >/dev/null 2>&1; then
      DATA_DIR="$ES_DATA" bash "$ROOT/infra/elasticsearch/elasticsearch.sh" start
      echo "elasticsearch $ES_DATA" >> "$MARK"
    fi
    ;;
  stop)
    [ -f "$MARK" ] || exit 0
    while read -r name dir; do
      case "$name" in
        kafka) DATA_DIR="$DATA_DIR" bash "$ROOT/infra/kafka/kafka.sh" stop || true ;;
        elasticsearch) DATA_DIR="$dir" bash "$ROOT/infra/elasticsearch/elasticsearch.sh" stop || true ;;
      esac
    done < "$MARK"
    rm -f "$MARK"
    ;;
  status)
    check_postgres && echo "postgres: up"
    check_redis && echo "redis: up"
    bash "$ROOT/infra/kafka/kafka.sh" status || true
    DATA_DIR="$(es_data_dir)" bash "$ROOT/infra/elasticsearch/elasticsearch.sh" status || true
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
