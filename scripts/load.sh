#!/usr/bin/env bash
# The network's HTTP paths under load: recording transfers, reading balances and statements, settling a
# purchase round, importing a survey export and cross-tabbing it, the dashboard — p50 and p99 of each, as
# a Markdown table for docs/PERFORMANCE.md. Starts the release server on DATA and stops it at the end.
#   DATA: a data directory or a PostgreSQL URL grown by `ashar demo --scale district|national`, or
#         "fresh" (default) for the demo network in a new directory. What the load writes stays in it.
# Usage: scripts/load.sh [DATA=fresh] [SECONDS=10] [SURVEY_ROWS=100000]   (needs wrk, curl and python3)
#        ROUNDS=3 (environment): rounds settled through the API, and as many by the database alone.
#        RATE_ROUNDS=48 OFFICES=4 (environment, SQLite): rounds settled by that many clients at once, for the rate.
# Transfers alone, with the ledger checked 201 by 201 and the raw database's rate beside: scripts/load-transfers.sh.
# Several app servers on one PostgreSQL: scripts/several-servers.sh. Every endpoint at two scales: scripts/load/compare-scales.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/load/paths.py "${1:-fresh}" "${2:-10}" "${3:-100000}"
