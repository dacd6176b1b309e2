#!/usr/bin/env bash
# Installs what is needed and runs every test: the Swift suites (unit, store conformance,
# HTTP, and the real-process durability test) and a validation of the OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

python3 -m pip install --quiet --disable-pip-version-check "openapi-spec-validator>=0.7" 2>&1 | grep -v -i "warning: running pip as" || true
python3 - <<'PY'
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
document, _ = read_from_filename("Sources/BackstopServer/Resources/openapi.yaml")
validate(document)
print("openapi.yaml: valid OpenAPI 3.1")
PY

swift build --build-tests
swift test --skip-build
