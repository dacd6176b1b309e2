#!/usr/bin/env bash
# Installs what is needed and runs every test: the Swift suites (unit, store conformance on
# memory, SQLite and PostgreSQL, HTTP, and the real-process durability, two-node and
# database-restart tests) and a validation of the OpenAPI document. PostgreSQL 15 + PostGIS
# come from Debian; a throwaway cluster is started for the run (see test-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# sqlite3: the audit tests edit a store behind Backstop's back, as an intruder would.
# xmllint (libxml2-utils): every CAP message the tests produce is validated against the OASIS schema.
# gdal-bin: GDAL's OAPIF driver (ogrinfo) reads the OGC API – Features endpoints as QGIS does.
# chromium prints the daily report to PDF; poppler-utils (pdfinfo, pdftotext) checks that PDF.
# chromium-driver drives Chromium for the console's browser tests; libjs-leaflet and
# libjs-chart.js are the scripts the console's pages load (served by Backstop itself).
install_debian_packages sqlite3 libxml2-utils gdal-bin chromium chromium-driver fonts-dejavu-core poppler-utils libjs-leaflet libjs-chart.js
source scripts/test-postgres.sh

# standardwebhooks: the test receiver verifies webhook signatures with the reference library.
python3 -m pip install --quiet --disable-pip-version-check "openapi-spec-validator>=0.7" "standardwebhooks>=1.0" 2>&1 | grep -v -i "warning: running pip as" || true
python3 - <<'PY'
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
document, _ = read_from_filename("Sources/BackstopServer/Resources/openapi.yaml")
validate(document)
print("openapi.yaml: valid OpenAPI 3.1")
PY

swift build --build-tests
swift test --skip-build

# The served OpenAPI document against the running server, by Schemathesis (admin and monitor).
./scripts/contract-test.sh

# OGC API – Features read by GDAL, OWSLib and the ogctests suite (features/core).
./scripts/features-test.sh

# The web console in headless Chromium, driven by Selenium.
./scripts/browser-test.sh
