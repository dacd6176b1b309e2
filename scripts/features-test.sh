#!/usr/bin/env bash
# OGC API – Features checked by the clients people use: starts the built server on a throwaway
# data directory (demo data, no public embargo), has an analyst and a supervisor verify and
# release some incidents to the public, then reads /ogc with
#   - GDAL's OAPIF driver (ogrinfo from Debian's gdal-bin), anonymously and with a token
#     (GDAL_HTTP_HEADERS), including a -spat bbox query, compared with the API's own listing;
#   - OWSLib (owslib.ogcapi.features.Features), likewise;
#   - the ogctests suite's features/core tests, run with pytest directly against /ogc.
# It builds nothing: test.sh has built the server already.
#
#   BACKSTOP_BIN             the server binary (default: $(swift build --show-bin-path)/backstop)
#   BACKSTOP_FEATURES_VENV   where OWSLib and ogctests are installed (default .build/features-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin=${BACKSTOP_BIN:-$(swift build --show-bin-path)/backstop}
[ -x "$bin" ] || { echo "features: no server binary at $bin (run swift build first)" >&2; exit 1; }

if ! command -v ogrinfo >/dev/null; then
  source scripts/setup.sh
  install_debian_packages gdal-bin
fi
venv=${BACKSTOP_FEATURES_VENV:-$repo/.build/features-venv}
source scripts/python-venv.sh
ensure_venv "$venv" "owslib==0.35.0" "ogctests==0.1.15" "pytest==8.4.2"

source scripts/throwaway-server.sh
start_throwaway_server features --public-embargo-hours 0
export BACKSTOP_BASE=$base
export BACKSTOP_ANALYST_TOKEN=$(token --role analyst --name features-analyst)
export BACKSTOP_SUPERVISOR_TOKEN=$(token --role supervisor --name features-supervisor)
export BACKSTOP_STAFF_TOKEN=$BACKSTOP_ANALYST_TOKEN
released=$(release_demo_incidents 8 "$venv/bin/python")
echo "features: $released incidents verified and released to the public"

echo "features: GDAL and OWSLib"
"$venv/bin/python" scripts/features_check.py

echo "features: ogctests features/core"
suite=$("$venv/bin/python" -c 'import ogctests, os; print(os.path.dirname(ogctests.__file__))')
(cd "$work" && INSTANCE_URL="$base/ogc" exec "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$suite" "$suite/features/core") &
runner_pid=$!
wait "$runner_pid"
runner_pid=""
