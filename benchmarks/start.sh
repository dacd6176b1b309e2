#!/usr/bin/env bash
# How soon a restarted node serves current incidents: a release build, a data directory of
# simulated records (about 8.6 per simulated hour: the default 23,300 hours, in three simulated
# years, make about 200,000)
# imported and derived once, then --runs restarts timed by benchmarks/start.py against each
# start's own /healthz baseline. The data directory is kept in .build/bench-start/ so a rerun
# measures only the starts.
# Usage: benchmarks/start.sh [HOURS] [arguments for start.py, e.g. --runs 3]
set -euo pipefail
cd "$(dirname "$0")/.."
hours=23300
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then hours=$1; shift; fi
source scripts/setup.sh
swift build -c release --product backstop
binary="$(swift build -c release --show-bin-path)/backstop"
data=".build/bench-start/hours-$hours"
if [ ! -f "$data/.derived" ]; then
  rm -rf "$data" && mkdir -p "$data"
  # The simulator covers at most a year per run: consecutive years, one seed each.
  left=$hours year=2021
  while [ "$left" -gt 0 ]; do
    span=$(( left < 8760 ? left : 8760 ))
    "$binary" simulate --hours "$span" --seed "$year" --start "$year-01-01T00:00:00Z" --out "$data/sim-$year"
    "$binary" import observations "$data/sim-$year/observations.ndjson" --data-dir "$data/store"
    cat "$data/sim-$year/observations.ndjson" >> "$data/records.ndjson"
    left=$(( left - span )) year=$(( year + 1 ))
  done
  "$binary" token create --role analyst --name bench-start --data-dir "$data/store" > "$data/token"
  # One first start derives every incident and stores it; the measured starts then read them.
  echo "deriving the incidents once (this is the slow start the stored incidents avoid)…"
  python3 benchmarks/start.py --binary "$binary" --data-dir "$data/store" --token "$(cat "$data/token")" --runs 1 --limit 7200
  touch "$data/.derived"
fi
python3 benchmarks/start.py --binary "$binary" --data-dir "$data/store" --token "$(cat "$data/token")" "$@"
