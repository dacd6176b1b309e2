#!/usr/bin/env bash
# The web console checked in a real browser: starts the built server on a throwaway data
# directory (demo data, no public embargo), releases a few incidents to the public, and drives
# Debian's headless Chromium with Selenium (scripts/browser_check.py). Screenshots of a page
# that failed go to .build/browser-screenshots; with BACKSTOP_SCREENSHOTS=DIR every page's
# screenshot is kept there (the README's come from it). It builds nothing: test.sh has built
# the server already.
#
#   BACKSTOP_BIN             the server binary (default: $(swift build --show-bin-path)/backstop)
#   BACKSTOP_BROWSER_VENV    where Selenium is installed (default .build/browser-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin=${BACKSTOP_BIN:-$(swift build --show-bin-path)/backstop}
[ -x "$bin" ] || { echo "browser: no server binary at $bin (run swift build first)" >&2; exit 1; }

if ! command -v chromedriver >/dev/null || [ ! -e /usr/share/javascript/leaflet/leaflet.js ]; then
  source scripts/setup.sh
  install_debian_packages chromium chromium-driver libjs-leaflet libjs-chart.js fonts-dejavu-core
fi
venv=${BACKSTOP_BROWSER_VENV:-$repo/.build/browser-venv}
source scripts/python-venv.sh
ensure_venv "$venv" "selenium==4.45.0"

source scripts/throwaway-server.sh
start_throwaway_server browser --public-embargo-hours 0
export BACKSTOP_BASE=$base
export BACKSTOP_ANALYST_TOKEN=$(token --role analyst --name browser-analyst)
export BACKSTOP_SUPERVISOR_TOKEN=$(token --role supervisor --name browser-supervisor)
export BACKSTOP_SUPERVISOR_2_TOKEN=$(token --role supervisor --name browser-supervisor-2)
export BACKSTOP_SENSOR_TOKEN=$(token --role sensor --name browser-sensor)
export BACKSTOP_PARTNER_TOKEN=$(token --role partner --name isr-north)
export BACKSTOP_MONITOR_TOKEN=$(token --role monitor --name browser-monitor --team team-browser)
export BACKSTOP_SCREENSHOT_DIR=${BACKSTOP_SCREENSHOTS:-$repo/.build/browser-screenshots}
export BACKSTOP_KEEP_SCREENSHOTS=${BACKSTOP_SCREENSHOTS:+1}
released=$(release_demo_incidents 3 "$venv/bin/python")
echo "browser: $released incidents verified and released to the public"
# Selenium is told where the driver is; it must not look for one on the internet.
export SE_OFFLINE=true SE_AVOID_STATS=true
"$venv/bin/python" scripts/browser_check.py &
runner_pid=$!
wait "$runner_pid"
runner_pid=""
