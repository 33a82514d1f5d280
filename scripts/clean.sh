#!/usr/bin/env bash
# Removes everything generated or downloaded: builds, dependencies, Kafka and Elasticsearch
# jars and data, the project-local Node. Stops running services first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/down.sh" || true
bash "$ROOT/infra/kafka/kafka.sh" clean || true
bash "$ROOT/infra/elasticsearch/elasticsearch.sh" clean || true
rm -rf "$ROOT/.data" "$ROOT/.tools" "$ROOT"/node_modules "$ROOT"/*/node_modules "$ROOT"/subgraphs/*/node_modules
find "$ROOT" -path "$ROOT/node_modules" -prune -o \( -name dist -o -name '*.tsbuildinfo' \) -print0 | xargs -0 rm -rf
