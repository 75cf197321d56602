#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster on 127.0.0.1, then removes the cluster.
#   scripts/with-postgres.sh swift test
# The command sees DATABASE_URL. Needs Debian's postgresql package and root (the cluster runs as the
# postgres user). PGPORT chooses the port (default 25432). Tests run side by side, each with its own
# connection pool: hence more connections than the default hundred.
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=${PGPORT:-25432}
root=$(mktemp -d /tmp/ashar-pg.XXXXXX)   # the postgres user must be able to enter it
chown postgres:postgres "$root"
chmod 700 "$root"
stop() {
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap stop EXIT
echo postgres > "$root/pwfile"
chown postgres:postgres "$root/pwfile"
runuser -u postgres -- "$pgbin/initdb" -D "$root/data" -U postgres -A scram-sha-256 --pwfile="$root/pwfile" >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c max_connections=500" start >/dev/null
PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$port" -U postgres \
  -c "CREATE ROLE ashar LOGIN PASSWORD 'ashar'" -c "CREATE DATABASE ashar OWNER ashar"
export DATABASE_URL="postgres://ashar:ashar@127.0.0.1:$port/ashar?sslmode=disable"
# For checks that restart the database under load (scripts/pg-restart-check.py).
export ASHAR_PG_DATA="$root/data" ASHAR_PG_BIN="$pgbin"
"$@"
