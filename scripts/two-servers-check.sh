#!/usr/bin/env bash
# Two `ashar` servers on one PostgreSQL (DATABASE_URL) serve the same data and the same sessions.
# Run it through scripts/with-postgres.sh after a build; it stops the servers it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL must name a PostgreSQL database}"
ashar="$(swift build --show-bin-path)/ashar"
work=$(mktemp -d /tmp/ashar-two.XXXXXX)
pids=()
finish() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap finish EXIT
wait_for() { for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "timed out: $1" >&2; return 1; }

(cd "$work" && PORT=18081 exec "$ashar" demo >"$work/a.log" 2>&1) & pids+=($!)
wait_for http://127.0.0.1:18081/health 300  # the demo loads first; a busy machine is slower
(cd "$work" && PORT=18082 exec "$ashar" serve >"$work/b.log" 2>&1) & pids+=($!)
wait_for http://127.0.0.1:18082/health 60

# A session made by server A is good on server B: sessions live in the database.
jar="$work/cookies"
csrf=$(curl -fsS -c "$jar" -b "$jar" http://127.0.0.1:18081/login | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fsS -o /dev/null -c "$jar" -b "$jar" -X POST http://127.0.0.1:18081/login \
  --data-urlencode "_csrf=$csrf" --data-urlencode identifier=admin --data-urlencode password=ashar-demo-2026 --data-urlencode next=/
page=$(curl -fsS -b "$jar" -H 'Accept-Language: en' http://127.0.0.1:18082/people)
grep -q "People registry" <<<"$page"

# A person written through A is read through B; the same write replayed on B records nothing new.
token=$(cd "$work" && "$ashar" token create --user coordinator 2>/dev/null | tail -1 | awk '{print $NF}')
api() { curl -fsS -H "Authorization: Bearer $token" "$@"; }
village=$(api "http://127.0.0.1:18082/api/v1/villages?q=saray" | python3 -c 'import sys, json; print(json.load(sys.stdin)["items"][0]["id"])')
body="{\"fullName\":\"Бейшеналиева Каныкей\",\"sex\":\"female\",\"birthYear\":1987,\"villageId\":\"$village\"}"
person=$(api -H 'Content-Type: application/json' -H 'Idempotency-Key: ci-1' -d "$body" http://127.0.0.1:18081/api/v1/people \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')
fetched=$(api "http://127.0.0.1:18082/api/v1/people/$person")
grep -q "Бейшеналиева Каныкей" <<<"$fetched"
replayed=$(api -H 'Content-Type: application/json' -H 'Idempotency-Key: ci-1' -d "$body" http://127.0.0.1:18082/api/v1/people)
grep -q "$person" <<<"$replayed"
found=$(api "http://127.0.0.1:18081/api/v1/people?q=kanykei%20beyshenalieva" | python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])')
test "$found" = 1
echo "Both servers serve the same data and the same sessions."
