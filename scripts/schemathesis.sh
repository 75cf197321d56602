#!/usr/bin/env bash
# Fuzzes the API against openapi.yaml with schemathesis (from PyPI, in a throwaway venv): every
# operation, as a network admin, on `ashar demo` (SQLite) — no 5xx, every status and body as the spec
# says. Short form in CI; the long form: EXAMPLES=500 SEED=random scripts/schemathesis.sh (figures in
# docs/PERFORMANCE.md, "Hostile input"). The two scan uploads take PDF bytes, which schemathesis cannot make.
# Needs python3-venv and network for pip; run after a build.
set -euo pipefail
cd "$(dirname "$0")/.."
ashar="${ASHAR_BIN:-$(swift build --show-bin-path)/ashar}"
port=18130
work=$(mktemp -d /tmp/ashar-schemathesis.XXXXXX)
server=""
finish() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$work"
}
trap finish EXIT

python3 -m venv "$work/venv"
if ! "$work/venv/bin/pip" install -q "schemathesis==4.32.5"; then
  # Outside the project: say so loudly rather than fail every other check with it.
  echo "NOT RUN: schemathesis could not be installed from PyPI (no network to it?)" >&2
  exit 0
fi

mkdir -p "$work/data"
(cd "$work/data" && ASHAR_DATA_DIR="$work/data" PORT=$port exec "$ashar" demo >"$work/server.log" 2>&1) & server=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 1; done
token=$(cd "$work/data" && ASHAR_DATA_DIR="$work/data" "$ashar" token create --user admin 2>/dev/null | tail -1 | awk '{print $NF}')

seed=()
[ "${SEED:-20261202}" = random ] || seed=(--seed "${SEED:-20261202}")
"$work/venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.yaml" --url "http://127.0.0.1:$port/api/v1" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --phases examples,fuzzing --max-examples "${EXAMPLES:-25}" "${seed[@]}" --workers 2 \
  --exclude-operation-id attachAgreementScan --exclude-operation-id attachDocumentScan \
  || { grep -E "ERROR|unhandled|runtime failure" "$work/server.log" | tail -20 >&2; exit 1; }
