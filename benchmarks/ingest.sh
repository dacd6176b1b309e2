#!/usr/bin/env bash
# Ingest throughput of a release build: single POSTs (the baseline) and batches of 1,000, on
# the embedded SQLite store and then on PostgreSQL (a throwaway local cluster, default
# durability settings: fsync and synchronous_commit on), so the two are measured in one run.
# Usage: benchmarks/ingest.sh [sqlite|postgres|both] [arguments for ingest.py, e.g. --batches 100]
set -euo pipefail
cd "$(dirname "$0")/.."
stores="${1:-both}"
case "$stores" in sqlite|postgres|both) shift || true ;; *) stores=both ;; esac
source scripts/setup.sh
swift build -c release --product backstop
binary="$(swift build -c release --show-bin-path)/backstop"
data="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

measure() { # $1: label, then the store options
  local label="$1"; shift
  local log="$data/$label.log" token url
  token="$("$binary" token create --role analyst --name "bench-$label" --data-dir "$data/$label" "$@")"
  "$binary" serve --data-dir "$data/$label" --port 0 --log-level warning "$@" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do grep -q "listening on" "$log" && break; sleep 0.1; done
  url="$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)"
  echo "== $label: server $url (release build)"
  python3 benchmarks/ingest.py --url "$url" --token "$token" "${ingest_args[@]}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

ingest_args=("$@")
if [ "$stores" != postgres ]; then
  measure sqlite
fi
if [ "$stores" != sqlite ]; then
  source scripts/test-postgres.sh   # a throwaway cluster; removed on exit
  trap 'cleanup; backstop_stop_test_postgres' EXIT
  measure postgres --database "$BACKSTOP_TEST_POSTGRES_URL?schema=bench"
fi
