#!/usr/bin/env bash
# PostgreSQL's own rate for the writes one recorded transfer makes, without Ashar around it: pgbench,
# CLIENTS connections for SECONDS, one transaction per transfer between two of the bank's MEMBERS with
# the statements the ledger runs for it (LedgerBooking.write): both members' accounts locked and read,
# the Idempotency-Key looked up, both balances updated, the transfer, its two entries and the kept answer
# inserted, the month totals, the day's total and the network's monthly count added to. The rows it
# writes keep the ledger's invariants (entries sum to zero, balances the sum of their entries).
# Run on a database Ashar made (scripts/several-servers.sh runs it after its own load).
# Usage: scripts/load/raw-postgres.sh BANK MEMBER,MEMBER,… [CLIENTS=16] [SECONDS=15]   (DATABASE_URL, ASHAR_PG_BIN set)
set -euo pipefail
: "${DATABASE_URL:?run through scripts/with-postgres.sh}"
bank=$1
IFS=, read -r -a members <<<"$2"
clients=${3:-16}
seconds=${4:-15}
url=${DATABASE_URL%%\?*}
pgbench=${ASHAR_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}/pgbench
script=$(mktemp /tmp/ashar-raw-pg.XXXXXX.sql)
trap 'rm -f "$script"; psql "$url" -q -c "DROP TABLE IF EXISTS raw_load_members" >/dev/null 2>&1 || true' EXIT

# The members, numbered, so pgbench can pick two at random.
{
  echo "DROP TABLE IF EXISTS raw_load_members; CREATE TABLE raw_load_members (n INT PRIMARY KEY, member_id UUID NOT NULL);"
  echo "INSERT INTO raw_load_members VALUES"
  for i in "${!members[@]}"; do
    printf "%s(%d, '%s')" "$([ "$i" = 0 ] || echo ,)" "$((i + 1))" "${members[$i]}"
  done
  echo ";"
} | PGOPTIONS="--client-min-messages=warning" psql "$url" -q

count=${#members[@]}
body=$(printf '{"bankId":"%s","categoryId":null,"id":"00000000-0000-0000-0000-000000000000","minutes":15,"note":null,"providers":[{"memberId":"%s","minutes":15}],"recipients":[{"memberId":"%s","minutes":15}],"recordedAt":"2026-11-27T18:00:00Z","serviceDate":"2026-11-20","slipNumber":null}' "$bank" "${members[0]}" "${members[1]}")
pair="(SELECT member_id FROM raw_load_members WHERE n = :a), (SELECT member_id FROM raw_load_members WHERE n = :b)"
provider="(SELECT member_id FROM raw_load_members WHERE n = :a)"
cat >"$script" <<SQL
\set a random(1, $count)
\set b 1 + (:a + random(0, $count - 2)) % $count
\set m random(5, 30)
\set k random(1, 1000000000)
BEGIN;
SELECT id, bank_id, balance_minutes, entry_count, lower_limit_minutes, upper_limit_minutes, member_id, counterpart_bank_id
  FROM timebank_accounts WHERE member_id IN ($pair) ORDER BY id FOR UPDATE;
SELECT user_id, key FROM idempotency_records WHERE user_id = '00000000-0000-0000-0000-000000000001' AND key = 'raw-' || :client_id || '-' || :k;
UPDATE timebank_accounts SET balance_minutes = balance_minutes + CASE WHEN member_id = $provider THEN :m ELSE -:m END,
  entry_count = entry_count + 1 WHERE member_id IN ($pair);
WITH t AS (
  INSERT INTO timebank_transfers (id, bank_id, category_id, minutes, service_date, note, slip_number, reverses_id,
    override_reason, recorded_at, recorded_by_id, recorded_by_login, on_behalf_of_id, purpose)
  VALUES (gen_random_uuid(), '$bank', NULL, :m, '2026-11-20', NULL, NULL, NULL, NULL, now(), NULL, 'raw', NULL, NULL) RETURNING id)
INSERT INTO timebank_entries (id, transfer_id, account_id, minutes, balance_after, sequence, recorded_at)
  SELECT gen_random_uuid(), t.id, a.id, CASE WHEN a.member_id = $provider THEN :m ELSE -:m END, a.balance_minutes, a.entry_count, now()
  FROM t, timebank_accounts a WHERE a.member_id IN ($pair);
INSERT INTO idempotency_records (id, user_id, key, request_hash, status, content_type, body, created_at)
  VALUES (gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'raw-' || :client_id || '-' || :k, repeat('0', 64), 201,
          'application/json; charset=utf-8', '$body', now()) ON CONFLICT DO NOTHING;
INSERT INTO timebank_month_totals (bank_id, month, category_id, account_id, earned_minutes, spent_minutes, exchanges)
  SELECT '$bank', '2026-11', '00000000-0000-0000-0000-000000000000', a.id,
         CASE WHEN a.member_id = $provider THEN :m ELSE 0 END, CASE WHEN a.member_id = $provider THEN 0 ELSE :m END,
         CASE WHEN a.member_id = $provider THEN 1 ELSE 0 END
  FROM timebank_accounts a WHERE a.member_id IN ($pair)
  ON CONFLICT (bank_id, month, category_id, account_id) DO UPDATE SET
    earned_minutes = timebank_month_totals.earned_minutes + excluded.earned_minutes,
    spent_minutes = timebank_month_totals.spent_minutes + excluded.spent_minutes,
    exchanges = timebank_month_totals.exchanges + excluded.exchanges;
INSERT INTO timebank_day_totals (bank_id, day, minutes, between_banks) VALUES ('$bank', '2026-11-20', :m, 0)
  ON CONFLICT (bank_id, day) DO UPDATE SET minutes = timebank_day_totals.minutes + excluded.minutes,
    between_banks = timebank_day_totals.between_banks + excluded.between_banks;
INSERT INTO network_month_counts (figure, key_id, month, count) VALUES ('minutes-earned', '$bank', '2026-11', :m)
  ON CONFLICT (figure, month, key_id) DO UPDATE SET count = network_month_counts.count + excluded.count;
COMMIT;
SQL
out=$("$pgbench" -n -f "$script" -c "$clients" -j 2 -T "$seconds" "$url" 2>&1) || { echo "$out" >&2; exit 1; }
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
latency=$(sed -n 's/^latency average = \(.*\)$/\1/p' <<<"$out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
echo "raw_per_s=${tps%.*} (pgbench, $clients clients, ${seconds} s, latency average $latency, failed ${failed:-0})"
