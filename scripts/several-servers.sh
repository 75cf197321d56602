#!/usr/bin/env bash
# Several `ashar serve` processes on one PostgreSQL behind nginx, on loopback, under concurrent transfers
# between the same 40 accounts: the rate with 1, 2 and 3 app servers, and afterwards the ledger's
# invariants (every 201 in the ledger, entries summing to zero, each balance the sum of its entries);
# then PostgreSQL's own rate for the same writes (scripts/load/raw-postgres.sh, pgbench with as many
# clients) and the ratio of one app server's rate to it.
# With ASHAR_SPREAD=1, three more runs with the transfers spread over every bank of the network (40
# members each), as a national network's offices would send them: batches from different servers then
# rarely wait for each other's locks.
# With ASHAR_SERVER_CPU=0.3 (a share of one core), each app server runs in a cgroup of its own held to
# that share, as if it were on a small machine of its own: on a 2-core machine the app servers otherwise
# share PostgreSQL's cores, and a second server only takes CPU from the first and from the database.
# Needs root and a cgroup filesystem with the cpu controller (v1 or v2).
# Run through scripts/with-postgres.sh after a release build; needs nginx and wrk (Debian). Stops what it starts.
# Or against a database of your own (a generated national network): DATABASE_URL=postgres://… scripts/several-servers.sh
# Usage: scripts/with-postgres.sh scripts/several-servers.sh [CLIENTS=16] [SECONDS=15]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run through scripts/with-postgres.sh}"
clients=${1:-16}
seconds=${2:-15}
bin="${ASHAR_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/ashar}"
work=$(mktemp -d /tmp/ashar-several.XXXXXX)
ports=(18111 18112 18113)
front=18110
pids=()
groups=()
finish() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for group in "${groups[@]}"; do rmdir "$group" 2>/dev/null || true; done
  rm -rf "$work"
}
trap finish EXIT
wait_for() { for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "timed out: $1" >&2; return 1; }
confine() {  # $1: a server's pid, $2: its port — held to ASHAR_SERVER_CPU of one core, when set
  [ -n "${ASHAR_SERVER_CPU:-}" ] || return 0
  local quota=$(python3 -c "print(int(${ASHAR_SERVER_CPU} * 100000))") group
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    group=/sys/fs/cgroup/ashar-$2; echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p "$group"; echo "$quota 100000" >"$group/cpu.max"
  else
    group=/sys/fs/cgroup/cpu/ashar-$2; mkdir -p "$group"
    echo 100000 >"$group/cpu.cfs_period_us"; echo "$quota" >"$group/cpu.cfs_quota_us"
  fi
  groups+=("$group"); echo "$1" >"$group/cgroup.procs"
}

(cd "$work" && PORT=${ports[0]} LOG_LEVEL=warning exec "$bin" demo >"$work/a.log" 2>&1) & pids+=($!)
wait_for "http://127.0.0.1:${ports[0]}/health" 300
confine "${pids[0]}" "${ports[0]}"
for port in "${ports[@]:1}"; do
  (cd "$work" && PORT=$port LOG_LEVEL=warning exec "$bin" serve >"$work/$port.log" 2>&1) & pids+=($!)
  wait_for "http://127.0.0.1:$port/health" 60
  confine "${pids[-1]}" "$port"
done
[ -z "${ASHAR_SERVER_CPU:-}" ] || echo "each app server held to ${ASHAR_SERVER_CPU} of a core"

# nginx in front, with the first N servers as its upstream.
front_with() {
  {
    echo "pid $work/nginx.pid; error_log $work/nginx-error.log; worker_processes 1; events { worker_connections 1024; }"
    echo "http { access_log off; upstream ashar { keepalive 64;"
    for port in "${ports[@]:0:$1}"; do echo "  server 127.0.0.1:$port;"; done
    echo "} server { listen 127.0.0.1:$front; location / { proxy_pass http://ashar; proxy_http_version 1.1;"
    echo "  proxy_set_header Connection \"\"; proxy_set_header Host \$host; } } }"
  } >"$work/nginx.conf"
  if [ -f "$work/nginx.pid" ]; then nginx -p "$work" -c "$work/nginx.conf" -s reload; sleep 1; else nginx -p "$work" -c "$work/nginx.conf"; fi
  wait_for "http://127.0.0.1:$front/health" 10
}

export ASHAR_TOKEN=$(cd "$work" && "$bin" token create --user admin 2>/dev/null | tail -1 | awk '{print $NF}')
api() { curl -fsS -H "Authorization: Bearer $ASHAR_TOKEN" "$@"; }
export ASHAR_BANK=$(api "http://127.0.0.1:${ports[0]}/api/v1/timebanks" | python3 -c 'import sys, json; print(json.load(sys.stdin)["items"][0]["id"])')
export ASHAR_MEMBERS=$(api "http://127.0.0.1:${ports[0]}/api/v1/timebanks/$ASHAR_BANK/members?per=200" \
  | python3 -c 'import sys, json; print(",".join(m["id"] for m in json.load(sys.stdin)["items"]))')
sql() { psql "${DATABASE_URL%%\?*}" -Atq -c "$1"; }
ledger_balances() {  # every transfer's entries sum to zero, every balance is the sum of its entries, all sum to zero
  test "$(sql "SELECT COALESCE(SUM(balance_minutes), 0) FROM timebank_accounts")" = 0
  test "$(sql "SELECT COUNT(*) FROM (SELECT transfer_id FROM timebank_entries GROUP BY transfer_id HAVING SUM(minutes) <> 0) x")" = 0
  test "$(sql "SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes <> (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)")" = 0
}
before=$(sql "SELECT COUNT(*) FROM timebank_transfers")
created_total=0 runs=0
with_servers() {  # $1: what the transfers are between; the rate with 1, 2 and 3 app servers
  for n in 1 2 3; do
    front_with "$n"
    out=$(wrk -t2 -c"$clients" -d"${seconds}s" --latency -s scripts/load/transfers.lua "http://127.0.0.1:$front")
    created=$(sed -n 's/.* 201=\([0-9]*\).*/\1/p' <<<"$out")
    [ "$n" = 1 ] && [ -z "${api_rate:-}" ] && api_rate=$(sed -n 's/.*created_per_s=\([0-9]*\).*/\1/p' <<<"$out")
    created_total=$((created_total + ${created:-0})) runs=$((runs + 1))
    echo "$n app server(s), $clients clients, $1: $(grep -E 'created_per_s' <<<"$out" | tr -s ' ') $(grep -E 'p50_ms' <<<"$out")"
    grep -E "statuses" <<<"$out" || true
    if grep -qE "statuses:.* 5[0-9]{2}=" <<<"$out"; then echo "server errors (5xx) with $n app server(s)" >&2; return 1; fi
  done
}
with_servers "the $(tr "," "\n" <<<"$ASHAR_MEMBERS" | wc -l) members of one bank"
if [ -n "${ASHAR_SPREAD:-}" ]; then
  sql "SELECT bank_id || ' ' || STRING_AGG(member_id::text, ' ') FROM (SELECT bank_id, member_id,
         ROW_NUMBER() OVER (PARTITION BY bank_id ORDER BY member_id) AS r FROM timebank_accounts WHERE member_id IS NOT NULL) m
       WHERE r <= 40 GROUP BY bank_id HAVING COUNT(*) > 1" >"$work/banks"
  ASHAR_BANKS_FILE="$work/banks" with_servers "spread over $(wc -l <"$work/banks") banks"
fi
added=$(( $(sql "SELECT COUNT(*) FROM timebank_transfers") - before ))
echo "201 answers: $created_total; transfers added: $added"
# Up to one request per connection per run may be in flight when wrk stops: booked, its 201 not counted.
test "$added" -ge "$created_total" && test "$added" -le $((created_total + runs * clients))
ledger_balances
echo "The ledger's invariants hold after the load through all three servers."
raw=$(scripts/load/raw-postgres.sh "$ASHAR_BANK" "$ASHAR_MEMBERS" "$clients" "$seconds")
echo "PostgreSQL alone, the same writes: $raw"
raw_rate=$(sed -n 's/^raw_per_s=\([0-9]*\).*/\1/p' <<<"$raw")
python3 -c "print(f'ratio of one app server to the database alone: {$api_rate / $raw_rate:.2f}')"
ledger_balances
echo "The raw writes kept the ledger's invariants too."
