#!/usr/bin/env bash
# Reports from a PostgreSQL streaming replica: a primary and a standby (pg_basebackup -R) on loopback,
# one `ashar` writing to the primary and reading its reports and dashboard from the standby
# (DATABASE_READ_URL), another reading everything from the primary. Once the standby has replayed the
# primary's log, both give the same indicators, and the first one's reports were read on the standby.
# Needs Debian's postgresql and root; run after a build. Stops and removes what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
ashar="${ASHAR_BIN:-$(swift build --show-bin-path)/ashar}"
# Below the kernel's ephemeral range (32768+): a port a finished client connection still holds in
# TIME_WAIT cannot be listened on, and the checks before this one open thousands.
primary=25442 standby=25443
root=$(mktemp -d /tmp/ashar-replica.XXXXXX)
chown postgres:postgres "$root"
chmod 700 "$root"
pids=()
finish() {
  [ $? -eq 0 ] || tail -n 15 "$root"/*.log "$root"/work/*.log >&2 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for dir in standby primary; do runuser -u postgres -- "$pgbin/pg_ctl" -D "$root/$dir" -m fast -w stop >/dev/null 2>&1 || true; done
  rm -rf "$root"
}
trap finish EXIT
wait_for() { for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "timed out: $1" >&2; return 1; }
export PGPASSWORD=postgres
psql_at() { psql -h 127.0.0.1 -p "$1" -U postgres -Atq -c "$2" "${3:-postgres}"; }

echo postgres >"$root/pwfile"
chown postgres:postgres "$root/pwfile"
runuser -u postgres -- "$pgbin/initdb" -D "$root/primary" -U postgres -A scram-sha-256 --pwfile="$root/pwfile" >/dev/null
echo "host replication postgres 127.0.0.1/32 scram-sha-256" >>"$root/primary/pg_hba.conf"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$root/primary" -l "$root/primary.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $primary -k $root -c max_connections=200 -c wal_level=replica" start >/dev/null
psql_at $primary "CREATE ROLE ashar LOGIN PASSWORD 'ashar'"
psql_at $primary "CREATE DATABASE ashar OWNER ashar"
runuser -u postgres -- env PGPASSWORD=postgres "$pgbin/pg_basebackup" -h 127.0.0.1 -p $primary -U postgres -D "$root/standby" -R -X stream
runuser -u postgres -- "$pgbin/pg_ctl" -D "$root/standby" -l "$root/standby.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $standby -k $root -c max_connections=200" start >/dev/null
test "$(psql_at $standby "SELECT pg_is_in_recovery()")" = t

url() { echo "postgres://ashar:ashar@127.0.0.1:$1/ashar?sslmode=disable"; }
work="$root/work"
mkdir -p "$work"
(cd "$work" && DATABASE_URL=$(url $primary) DATABASE_READ_URL=$(url $standby) PORT=18121 exec "$ashar" demo >"$work/replica.log" 2>&1) & pids+=($!)
wait_for http://127.0.0.1:18121/health 300
(cd "$work" && DATABASE_URL=$(url $primary) PORT=18122 exec "$ashar" serve >"$work/primary.log" 2>&1) & pids+=($!)
wait_for http://127.0.0.1:18122/health 60

# The standby has everything the primary wrote.
target=$(psql_at $primary "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 60); do
  [ "$(psql_at $standby "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && break
  sleep 1
done
test "$(psql_at $standby "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t

token=$(cd "$work" && DATABASE_URL=$(url $primary) "$ashar" token create --user admin 2>/dev/null | tail -1 | awk '{print $NF}')
reads() { psql_at $standby "SELECT xact_commit FROM pg_stat_database WHERE datname = 'ashar'"; }
before=$(reads)
from_replica=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:18121/api/v1/indicators?from=2025-01-01&to=2026-12-31")
sleep 1  # the standby's statistics are written when a transaction ends, and read a moment later
after=$(reads)
from_primary=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:18122/api/v1/indicators?from=2025-01-01&to=2026-12-31")
test -n "$from_replica"
test "$from_replica" = "$from_primary"
test "$after" -gt "$before"
echo "Indicators read on the standby equal those read on the primary ($(( after - before )) transactions on the standby)."
