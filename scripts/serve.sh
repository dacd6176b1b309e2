#!/usr/bin/env bash
# Installs what is needed, builds, and starts `backstop serve` on the embedded SQLite store in
# ./backstop-data with the sample agreements, demo observations and a printed admin token.
# Extra arguments go to `backstop serve` (e.g. --port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# chromium prints the daily report to PDF (GET /api/v1/reports/{id}?f=pdf); libjs-leaflet and
# libjs-chart.js are the scripts the web console loads, served by Backstop itself.
install_debian_packages chromium fonts-dejavu-core libjs-leaflet libjs-chart.js
swift build --product backstop
exec "$(swift build --show-bin-path)/backstop" serve --data-dir ./backstop-data --demo "$@"
