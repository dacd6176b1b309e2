#!/usr/bin/env bash
# Ingest throughput of a release build against the database's own ceiling, in one run.
# On the embedded SQLite store and then on PostgreSQL (a throwaway local cluster, default
# durability: fsync and synchronous_commit on), benchmarks/ingest.py posts single
# observations (the baseline of the single POSTs), then batches of 1,000: the benchmark's own
# records (points in one small area) and records as monitors file them (a simulated year along
# the Donbas sample: bearings with distance bands, place phrases, points, spread over the
# front). Then benchmarks/sqlite_ceiling (C, SQLite's C API) inserts exactly the rows each
# SQLite batch phase stored into a new database with the same schema, WAL and
# synchronous=FULL, in transactions of 1,000, and Backstop's rate is printed as a ratio to it.
# Usage: [BACKSTOP_BINARY=path] benchmarks/ingest.sh [sqlite|postgres|both] [arguments for ingest.py, e.g. --batches 10]
set -euo pipefail
cd "$(dirname "$0")/.."
stores="${1:-both}"
case "$stores" in sqlite|postgres|both) shift || true ;; *) stores=both ;; esac
source scripts/setup.sh
# BACKSTOP_BINARY: measure that build instead (an A/B comparison of two commits' binaries).
if [ -n "${BACKSTOP_BINARY:-}" ]; then
  binary="$BACKSTOP_BINARY"
else
  swift build -c release --product backstop
  binary="$(swift build -c release --show-bin-path)/backstop"
fi
cache=".build/bench-ingest"
mkdir -p "$cache"
# Any C compiler: the system's, or the clang that comes with the Swift toolchain.
compiler="${CC:-$(command -v cc || command -v clang)}"
"$compiler" -O2 -o "$cache/sqlite_ceiling" benchmarks/sqlite_ceiling.c -lsqlite3
if [ ! -s "$cache/records.ndjson" ]; then
  echo "simulating a year of monitors' records (once; kept in $cache)…"
  "$binary" simulate --hours 8760 --seed 16 --start 2021-01-01T00:00:00Z --out "$cache/simulation" >/dev/null
  mv "$cache/simulation/observations.ndjson" "$cache/records.ndjson"
  rm -rf "$cache/simulation"
fi
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
  python3 benchmarks/ingest.py --url "$url" --token "$token" --records "$cache/records.ndjson" --results "$data/$label.json" "${ingest_args[@]}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

flood() { # $1: label, then the store options. Five patrols, then 20,000 camera records at one place.
  local label="$1"; shift
  local log="$data/$label.log" camera patrols="" url
  camera="$("$binary" token create --role analyst --name camera-1 --data-dir "$data/$label" "$@")"
  for i in 1 2 3 4 5; do
    patrols="$patrols,$("$binary" token create --role monitor --team "team-$i" --name "patrol-$i" --data-dir "$data/$label" "$@")"
  done
  "$binary" serve --data-dir "$data/$label" --port 0 --log-level warning "$@" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do grep -q "listening on" "$log" && break; sleep 0.1; done
  url="$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)"
  echo "== $label: server $url (release build)"
  python3 benchmarks/ingest.py --url "$url" --token "$camera" --patrol-tokens "${patrols#,}" --flood 20000 --results "$data/$label.json"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

ingest_args=("$@")
if [ "$stores" != postgres ]; then
  measure sqlite
  flood sqlite-flood
fi
if [ "$stores" != sqlite ]; then
  source scripts/test-postgres.sh   # a throwaway cluster; removed on exit
  trap 'cleanup; backstop_stop_test_postgres' EXIT
  measure postgres --database "$BACKSTOP_TEST_POSTGRES_URL?schema=bench"
  flood postgres-flood --database "$BACKSTOP_TEST_POSTGRES_URL?schema=flood"
fi
if [ "$stores" != postgres ]; then
  echo "== the ceiling: the same rows into the same schema through SQLite's C API (WAL, synchronous=FULL, 1,000 per transaction)"
  python3 - "$data" "$cache/sqlite_ceiling" <<'PY'
import json, os, subprocess, sys
data, ceiling = sys.argv[1], sys.argv[2]
sqlite = json.load(open(os.path.join(data, "sqlite.json")))
postgres = json.load(open(os.path.join(data, "postgres.json"))) if os.path.exists(os.path.join(data, "postgres.json")) else None
print("| records, batches of 1,000, 1 client | SQLite ceiling (observations + R*Tree) | with their audit rows | Backstop on SQLite | ratio | Backstop on PostgreSQL |")
print("|---|---|---|---|---|---|")
for index, phase in enumerate(sqlite["phases"]):
    if phase["batch_size"] == 1 or phase["clients"] != 1:
        continue
    out = subprocess.run([ceiling, os.path.join(data, "sqlite", "backstop.sqlite"), data, str(phase["batch_size"]),
                          str(phase["first_seq"]), str(phase["last_seq"])], check=True, capture_output=True, text=True).stdout.split()
    plain, audited = float(out[0]), float(out[1])
    pg = "%.0f/s" % postgres["phases"][index]["rate"] if postgres else "not run"
    print("| %s | %.0f/s | %.0f/s | %.0f/s | %.1f %% of the ceiling with audit rows, %.1f %% without | %s |" % (
        phase["phase"].split(", ")[1], plain, audited, phase["rate"], 100 * phase["rate"] / audited, 100 * phase["rate"] / plain, pg))
PY
fi
