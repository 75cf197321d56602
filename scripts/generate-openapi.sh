#!/usr/bin/env bash
# Regenerates the API's Swift code from Sources/App/API/openapi.yaml (the source of truth).
# The generated code is committed, so builds need no plugin; CI runs this and fails on a diff.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product swift-openapi-generator >/dev/null
bin="$(swift build --show-bin-path)/swift-openapi-generator"
[ -x "$bin" ] || bin="$(swift build --show-bin-path)/swift-openapi-generator-tool"
rm -rf Sources/App/API/Generated
"$bin" generate Sources/App/API/openapi.yaml \
  --config Sources/App/API/openapi-generator-config.yaml \
  --output-directory Sources/App/API/Generated >/dev/null
echo "Generated Sources/App/API/Generated from openapi.yaml"
