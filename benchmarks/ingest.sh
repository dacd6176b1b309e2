#!/usr/bin/env bash
# Batch-ingest throughput of a release build on the embedded SQLite store.
# Usage: benchmarks/ingest.sh [arguments for ingest.py, e.g. --batches 100]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product backstop
binary="$(swift build -c release --show-bin-path)/backstop"
data="$(mktemp -d)"
log="$data/server.log"
token="$("$binary" token create --role analyst --name bench --data-dir "$data")"
"$binary" serve --data-dir "$data" --port 0 --log-level warning >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
url="$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)"
echo "server $url (release build, SQLite WAL, synchronous=FULL, data in $data)"
python3 benchmarks/ingest.py --url "$url" --token "$token" "$@"
