#!/usr/bin/env bash
# How soon a restarted node serves current incidents, and how much memory it then holds: a
# release build, a data directory of simulated records (about 8.6 per simulated hour; with
# SIMULATE_ARGS="--bearing-cameras 12 --bearing-acoustic 8", about 13, so 8,760 hours make a
# year of about 115,000), imported and derived once, then --runs restarts timed by
# benchmarks/start.py against each start's own /healthz baseline (--memory also reports the
# resident memory once the node has taken the incident work over). The simulated years end
# before this one, so no record is in the future. The data directory is kept in
# .build/bench-start/ so a rerun measures only the starts.
# Usage: [SIMULATE_ARGS=...] benchmarks/start.sh [HOURS] [arguments for start.py, e.g. --runs 3 --memory]
set -euo pipefail
cd "$(dirname "$0")/.."
hours=23300
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then hours=$1; shift; fi
simulate_args=(${SIMULATE_ARGS:-})
source scripts/setup.sh
swift build -c release --product backstop
binary="$(swift build -c release --show-bin-path)/backstop"
label="hours-$hours"
[ ${#simulate_args[@]} -gt 0 ] && label="$label-$(echo "${simulate_args[*]}" | tr -c 'a-z0-9' '-' | tr -s '-')"
data=".build/bench-start/$label"
if [ ! -f "$data/.derived" ]; then
  rm -rf "$data" && mkdir -p "$data"
  # The simulator covers at most a year per run: consecutive years, one seed each.
  left=$hours year=$(( $(date -u +%Y) - (hours + 8759) / 8760 ))
  while [ "$left" -gt 0 ]; do
    span=$(( left < 8760 ? left : 8760 ))
    "$binary" simulate --hours "$span" --seed "$year" --start "$year-01-01T00:00:00Z" --out "$data/sim-$year" "${simulate_args[@]}" >/dev/null
    "$binary" import observations "$data/sim-$year/observations.ndjson" --data-dir "$data/store" | tail -1
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
