#!/usr/bin/env bash
# OGC API – Features bbox reads on a million incidents, against pygeoapi serving the same
# features in the same run: a release build; a store seeded with COUNT synthetic incidents
# (`backstop bench seed-incidents`, kept in .build/bench-features/ so a rerun skips it); the
# same features exported as GeoJSON and loaded into a GeoPackage (ogr2ogr) that pygeoapi serves
# with its SQLite/GeoPackage provider under gunicorn (two workers, one per core); then
# benchmarks/features.py sends the same random 10 km boxes to both and prints p50/p99 and
# requests per second, and the ratio.
# Usage: benchmarks/features.sh [COUNT] [arguments for features.py, e.g. --seconds 20]
set -euo pipefail
cd "$(dirname "$0")/.."
count=1000000
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then count=$1; shift; fi
source scripts/setup.sh
source scripts/python-venv.sh
# gdal-bin: ogr2ogr writes the GeoPackage; spatialite: pygeoapi's SQLite provider loads it.
install_debian_packages gdal-bin libsqlite3-mod-spatialite
swift build -c release --product backstop
binary="$(swift build -c release --show-bin-path)/backstop"
data=".build/bench-features/$count"
venv=.build/bench-features/venv
# Debian's Python: pygeoapi's SQLite provider loads SpatiaLite, which needs an sqlite3 module
# built with extension loading (a pyenv build may lack it).
VENV_PYTHON=/usr/bin/python3 ensure_venv "$venv" "pygeoapi==0.21.0" "gunicorn==23.0.0"

if [ ! -f "$data/.seeded" ]; then
  rm -rf "$data" && mkdir -p "$data"
  "$binary" bench seed-incidents --count "$count" --data-dir "$data/store"
  "$binary" token create --role analyst --name bench-features --data-dir "$data/store" > "$data/token"
  touch "$data/.seeded"
fi

server_pid="" pygeoapi_pid=""
cleanup() {
  for pid in $server_pid $pygeoapi_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$data/store" --port "$port" --no-scheduled-reports --log-level warning >"$data/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
token=$(cat "$data/token")
for _ in $(seq 1 600); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.5; done
echo "features: backstop is up; reading the incidents ($(date +%T))"
curl -sf -H "Authorization: Bearer $token" "$base/ogc/collections/incidents/items?limit=1" >/dev/null

if [ ! -f "$data/incidents.gpkg" ]; then
  echo "features: exporting the same features to a GeoPackage for pygeoapi"
  curl -sf -H "Authorization: Bearer $token" "$base/api/v1/incidents/export?format=geojson" -o "$data/incidents.geojson"
  ogr2ogr -f GPKG "$data/incidents.gpkg" "$data/incidents.geojson" -nln incidents -lco FID=fid
  rm -f "$data/incidents.geojson"
fi

gport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$data/pygeoapi.yml" <<YAML
server:
  bind: {host: 127.0.0.1, port: $gport}
  url: http://127.0.0.1:$gport
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {default_items: 100, max_items: 10000}
  map: {url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attribution: OSM}
logging: {level: ERROR}
metadata:
  identification: {title: Backstop benchmark, description: the same incidents, keywords: [bench], keywords_type: theme, terms_of_service: none, url: http://example.org}
  license: {name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
  provider: {name: bench, url: http://example.org}
  contact: {name: bench}
resources:
  incidents:
    type: collection
    title: Incidents
    description: The same incidents Backstop serves
    keywords: [incidents]
    extents:
      spatial: {bbox: [-180, -90, 180, 90], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}
    providers:
      - type: feature
        name: SQLiteGPKG
        data: $(pwd)/$data/incidents.gpkg
        id_field: fid
        table: incidents
YAML
PYGEOAPI_CONFIG="$data/pygeoapi.yml" PYGEOAPI_OPENAPI="$data/pygeoapi-openapi.yml" \
  "$venv/bin/pygeoapi" openapi generate "$data/pygeoapi.yml" --output-file "$data/pygeoapi-openapi.yml" >/dev/null
PYGEOAPI_CONFIG="$data/pygeoapi.yml" PYGEOAPI_OPENAPI="$data/pygeoapi-openapi.yml" \
  "$venv/bin/gunicorn" --workers 2 --bind "127.0.0.1:$gport" --log-level warning pygeoapi.flask_app:APP >"$data/pygeoapi.log" 2>&1 &
pygeoapi_pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$gport/" >/dev/null && break; sleep 0.5; done

python3 benchmarks/features.py --backstop "$base/ogc" --token "$token" --pygeoapi "http://127.0.0.1:$gport" --count "$count" "$@"
