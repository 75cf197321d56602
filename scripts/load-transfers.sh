#!/usr/bin/env bash
# Transfers through the HTTP API under load: starts `ashar demo` (release build) on a fresh embedded SQLite,
# sends random transfers among one bank's members with wrk for DURATION seconds from CLIENTS connections,
# then checks that the ledger grew by the 201s (plus at most the requests in flight at the deadline) and
# that the books still balance. The exact check, 201 by 201, is the 32-client test in `swift test`.
# Last, the same writes done raw on a copy of that database (scripts/load/raw-sqlite.py), and the ratio.
# Usage: scripts/load-transfers.sh [CLIENTS=16] [DURATION=20]     (needs wrk, sqlite3 and python3)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-16}
duration=${2:-20}
bin="${ASHAR_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/ashar}"
work=$(mktemp -d /tmp/ashar-load.XXXXXX)
port=${PORT:-18090}
pid=""
finish() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap finish EXIT

(cd "$work" && ASHAR_DATA_DIR="$work/data" PORT=$port LOG_LEVEL=warning exec "$bin" demo >"$work/server.log" 2>&1) & pid=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 1; done
db="$work/data/ashar.sqlite"
export ASHAR_TOKEN=$(cd "$work" && ASHAR_DATA_DIR="$work/data" "$bin" token create --user admin 2>/dev/null | tail -1 | awk '{print $NF}')
api() { curl -fsS -H "Authorization: Bearer $ASHAR_TOKEN" "$@"; }
export ASHAR_BANK=$(api "http://127.0.0.1:$port/api/v1/timebanks" | python3 -c 'import sys, json; print(json.load(sys.stdin)["items"][0]["id"])')
export ASHAR_MEMBERS=$(api "http://127.0.0.1:$port/api/v1/timebanks/$ASHAR_BANK/members?per=200" \
  | python3 -c 'import sys, json; print(",".join(m["id"] for m in json.load(sys.stdin)["items"]))')
before=$(sqlite3 "$db" "SELECT COUNT(*) FROM timebank_transfers")
echo "bank $ASHAR_BANK, $(tr ',' '\n' <<<"$ASHAR_MEMBERS" | wc -l) members, $clients clients, ${duration}s"
threads=$(( clients < 2 ? 1 : 2 ))
out=$(wrk -t"$threads" -c"$clients" -d"${duration}s" --latency -s scripts/load/transfers.lua "http://127.0.0.1:$port")
echo "$out" | grep -E "statuses|p50_ms|rate_per_s|created_per_s|Socket errors" || true
created=$(sed -n 's/.* 201=\([0-9]*\).*/\1/p' <<<"$out")
after=$(sqlite3 "$db" "SELECT COUNT(*) FROM timebank_transfers")
added=$((after - before))
echo "201 answers: ${created:-0}; transfers added to the ledger: $added"
# wrk stops counting at the deadline with up to one request per connection still in flight: those are
# booked but their answers are not counted. More than that, or fewer than the 201s, is a lost or made-up transfer.
test "$added" -ge "${created:-0}" && test "$added" -le "$(( ${created:-0} + clients ))"
test "$(sqlite3 "$db" "SELECT COALESCE(SUM(balance_minutes), 0) FROM timebank_accounts")" = 0
test "$(sqlite3 "$db" "SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes != (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)")" = 0
echo "Every 201 is in the ledger; the books balance."
raw=$(python3 scripts/load/raw-sqlite.py "$db" 3000)
echo "$raw"
api_rate=$(sed -n 's/^created_per_s=//p' <<<"$out")
raw_rate=$(sed -n 's/^raw_per_s=\([0-9]*\).*/\1/p' <<<"$raw")
python3 -c "import sys; print(f'api_to_raw={int(sys.argv[1]) / int(sys.argv[2]):.2f}')" "$api_rate" "$raw_rate"
