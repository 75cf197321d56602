#!/usr/bin/env bash
# Makes the upgrade fixtures (Tests/Fixtures/upgrade): the demo network as an earlier release of Ashar
# writes it, on SQLite and on PostgreSQL (schema `release_fixture`). UpgradeTests upgrade them.
#   scripts/make-upgrade-fixture.sh COMMIT NAME     e.g. d228850 2026-11-28   (root; takes a cold build)
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$1 name=$2
out=$(pwd)/Tests/Fixtures/upgrade
# ASHAR_RELEASE_TREE: a checkout of COMMIT built already (`swift build --product ashar`).
tree=${ASHAR_RELEASE_TREE:-}
if [ -z "$tree" ]; then
  tree=$(mktemp -d /tmp/ashar-release.XXXXXX)
  git worktree add -q --detach "$tree" "$commit"
  trap 'git worktree remove --force "$tree"' EXIT
  (cd "$tree" && swift build --product ashar >/dev/null)
fi
test "$(git -C "$tree" rev-parse --short HEAD)" = "$(git rev-parse --short "$commit")"
ashar="$tree/.build/debug/ashar"
mkdir -p "$out"

data=$(mktemp -d)
(cd "$data" && ASHAR_DATA_DIR="$data" PORT=18150 exec "$ashar" demo >"$data/log" 2>&1) & server=$!
for _ in $(seq 1 300); do curl -fsS http://127.0.0.1:18150/health >/dev/null 2>&1 && break; sleep 1; done
kill "$server"; wait "$server" || true
gzip -9 -c "$data/ashar.sqlite" >"$out/$name.sqlite.gz"
rm -rf "$data"

# shellcheck disable=SC2016
scripts/with-postgres.sh bash -c '
  (cd "$(mktemp -d)" && DATABASE_SCHEMA=release_fixture PORT=18151 exec "$0" demo >log 2>&1) & server=$!
  for _ in $(seq 1 300); do curl -fsS http://127.0.0.1:18151/health >/dev/null 2>&1 && break; sleep 1; done
  kill $server; wait $server || true
  pg_dump --no-owner --no-privileges --schema=release_fixture "${DATABASE_URL%%\?*}" | gzip -9 >"$1"
' "$ashar" "$out/$name.postgres.sql.gz"
ls -la "$out"
