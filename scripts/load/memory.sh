#!/usr/bin/env bash
# The server's resident memory: at idle after start, then its peak under load — transfers from 16 wrk
# connections while the dashboard, statements and the registry are read — and again at idle after; then
# its peak while a survey export of IMPORT_ROWS answers is imported, and at idle after that.
# Usage: scripts/load/memory.sh DATA_DIR [SECONDS=30]   (a data directory made by `ashar demo`, e.g. the
# national one from `ashar demo --scale national`; a release build; needs wrk)
#        IMPORT_ROWS=100000 (environment; 0 for no import). What the load and the import write stays in DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?a data directory made by ashar demo}
seconds=${2:-30}
bin="${ASHAR_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/ashar}"
port=18140
(ASHAR_DATA_DIR="$data" PORT=$port LOG_LEVEL=warning exec "$bin" serve >/tmp/ashar-memory.log 2>&1) & pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 1; done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
sleep 5
echo "idle after start: $(rss) MB"

export ASHAR_TOKEN=$(ASHAR_DATA_DIR="$data" "$bin" token create --user admin 2>/dev/null | tail -1 | awk '{print $NF}')
api() { curl -fsS -H "Authorization: Bearer $ASHAR_TOKEN" "$@"; }
export ASHAR_BANK=$(api "http://127.0.0.1:$port/api/v1/timebanks" | python3 -c 'import sys, json; print(json.load(sys.stdin)["items"][0]["id"])')
export ASHAR_MEMBERS=$(api "http://127.0.0.1:$port/api/v1/timebanks/$ASHAR_BANK/members?per=200" \
  | python3 -c 'import sys, json; print(",".join(m["id"] for m in json.load(sys.stdin)["items"]))')
first=${ASHAR_MEMBERS%%,*}
wrk -t1 -c16 -d"${seconds}s" -s scripts/load/transfers.lua "http://127.0.0.1:$port" >/tmp/ashar-memory-wrk.log &
load=$!
peak=0
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  python3 scripts/load/dashboard.py "http://127.0.0.1:$port" 3 >/dev/null 2>&1 || true
  api -o /dev/null "http://127.0.0.1:$port/api/v1/timebanks/$ASHAR_BANK/accounts/$first/statement?per=100"
  api -o /dev/null "http://127.0.0.1:$port/api/v1/people?q=gulnara&per=50"
  now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
done
wait $load
grep -E "created_per_s" /tmp/ashar-memory-wrk.log || true
echo "peak under load: $peak MB"
sleep 10
echo "idle after the load: $(rss) MB"

rows=${IMPORT_ROWS:-100000}
[ "$rows" -gt 0 ] || exit 0
export_file=$(mktemp --suffix=.csv)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$export_file"' EXIT
ASHAR_DATA_DIR="$data" "$bin" seed --survey-export "$rows" --to "$export_file" --random-seed "$(date +%s)" >/dev/null
form=$(api "http://127.0.0.1:$port/api/v1/forms" \
  | python3 -c 'import sys, json; print(next(f["id"] for f in json.load(sys.stdin)["items"] if f["formId"] == "ashar_baseline_needs"))')
api -o /dev/null -X POST -H "Content-Type: text/csv" -H "Idempotency-Key: memory-$(date +%s%N)" --data-binary @"$export_file" \
  "http://127.0.0.1:$port/api/v1/forms/$form/imports?source=kobo" & import=$!
peak=0
while kill -0 $import 2>/dev/null; do now=$(rss); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.1; done
wait $import
echo "peak while importing $rows survey answers: $peak MB"
sleep 10
echo "idle 10 s after the import: $(rss) MB"
