#!/usr/bin/env bash
# A quick A/B of the batch intake between builds. For each run, each binary in turn gets a
# fresh server on SQLite: five batches of 1,000 monitors' records warm it, a pause lets its
# incident work catch up, then ten batches are timed from one client. Prints each run's rate
# and each binary's mean. Taken in turns, the binaries share the machine's noise;
# benchmarks/ingest.sh measures against the database's own ceiling.
# Usage: benchmarks/batches_ab.sh RUNS BINARY... (the records are benchmarks/ingest.sh's, run it once first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: benchmarks/batches_ab.sh RUNS BINARY...}"
shift
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "batches_ab: RUNS must be a positive whole number, not '$runs'" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: benchmarks/batches_ab.sh RUNS BINARY..." >&2; exit 2; }
for binary in "$@"; do [ -x "$binary" ] || { echo "batches_ab: $binary is not an executable" >&2; exit 2; }; done
records=".build/bench-ingest/records.ndjson"
[ -s "$records" ] || { echo "batches_ab: $records is missing; run benchmarks/ingest.sh once" >&2; exit 2; }
data="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
results="$data/results"
for run in $(seq 1 "$runs"); do
  for binary in "$@"; do
    rm -rf "$data/store"
    token="$("$binary" token create --role analyst --name batches-ab --data-dir "$data/store")"
    "$binary" serve --data-dir "$data/store" --port 0 --log-level warning >"$data/log" 2>&1 &
    server=$!
    for _ in $(seq 1 300); do grep -q "listening on" "$data/log" && break; sleep 0.1; done
    url="$(grep -o 'http://[0-9.]*:[0-9]*' "$data/log" | head -1)"
    [ -n "$url" ] || { echo "batches_ab: $binary did not start listening within 30 s; its log:" >&2; cat "$data/log" >&2; exit 1; }
    rate="$(python3 - "$url" "$token" "$records" <<'PY'
import json, sys, time
sys.path.insert(0, "benchmarks")
from ingest import monitor_records, post
url, token, path = sys.argv[1:4]
records = monitor_records(path, 15_000)
bodies = [json.dumps({"observations": records[i:i + 1000]}) for i in range(0, len(records), 1000)]
post(url, token, bodies[:5])
time.sleep(6)
start = time.perf_counter()
post(url, token, bodies[5:])
print("%.0f" % (10_000 / (time.perf_counter() - start)))
PY
)"
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    echo "run $run  $binary  $rate observations/s"
    echo "$binary $rate" >>"$results"
  done
done
echo "== mean of $runs runs each"
awk '{ total[$1] += $2; count[$1]++; order[$1] = order[$1] ? order[$1] : NR }
     END { for (b in total) printf "%d %s %.0f observations/s\n", order[b], b, total[b] / count[b] }' "$results" | sort -n | cut -d' ' -f2-
