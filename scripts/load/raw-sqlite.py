#!/usr/bin/env python3
"""The embedded database's own rate for the writes one recorded transfer makes, without Ashar around it.

Runs on a copy of an Ashar database (the one `scripts/load-transfers.sh` loaded, so the schema, its
indexes, triggers and foreign keys, and the data already in it are the same) with the settings Ashar uses
(WAL, synchronous=FULL, secure_delete, foreign keys on). One transaction per transfer, one connection,
the statements the API's ledger runs for it: read the two members' accounts and the Idempotency-Key,
update both balances, insert the transfer, its two entries, the kept answer and the month totals.
Usage: scripts/load/raw-sqlite.py DATABASE [transfers=3000]
"""
import os, random, shutil, sqlite3, sys, tempfile, time, uuid


def time_ordered_uuid():
    """Version 7, as Ashar writes its ledger's ids (UUID.timeOrdered)."""
    value = (int(time.time() * 1000) << 80) | (0x7 << 76) | (random.getrandbits(12) << 64) | (0b10 << 62) | random.getrandbits(62)
    return str(uuid.UUID(int=value)).upper()


source = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
path = os.path.join(tempfile.mkdtemp(prefix="ashar-raw-"), "raw.sqlite")
copy = sqlite3.connect(source)
copy.execute("VACUUM INTO ?", (path,))
copy.close()

db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("PRAGMA secure_delete=ON")
db.execute("PRAGMA foreign_keys=ON")
bank, = db.execute("""SELECT bank_id FROM timebank_accounts WHERE member_id IS NOT NULL
                      GROUP BY bank_id ORDER BY COUNT(*) DESC LIMIT 1""").fetchone()
members = [m for m, in db.execute("SELECT member_id FROM timebank_accounts WHERE bank_id = ? AND member_id IS NOT NULL", (bank,))]
category = "00000000-0000-0000-0000-000000000000"
user = time_ordered_uuid()
body = '{"bankId":"%s","categoryId":null,"id":"%s","minutes":15,"note":null,"providers":[{"memberId":"%s","minutes":15}],' \
       '"recipients":[{"memberId":"%s","minutes":15}],"recordedAt":"2026-11-27T18:00:00Z","serviceDate":"2026-11-20","slipNumber":null}'

start = time.perf_counter()
for i in range(n):
    provider, recipient = random.sample(members, 2)
    minutes = random.randint(5, 30)
    transfer, now, key = time_ordered_uuid(), time.time(), f"raw-{i}"
    db.execute("BEGIN IMMEDIATE")
    rows = {r[6]: r for r in db.execute(
        """SELECT id, bank_id, balance_minutes, entry_count, lower_limit_minutes, upper_limit_minutes, member_id
           FROM timebank_accounts WHERE member_id IN (?, ?) ORDER BY id""", (provider, recipient))}
    db.execute("SELECT user_id, key FROM idempotency_records WHERE user_id = ? AND key = ?", (user, key)).fetchall()
    giver, taker = rows[provider], rows[recipient]
    gives = (giver[0], giver[2] + minutes, giver[3] + 1)
    takes = (taker[0], taker[2] - minutes, taker[3] + 1)
    db.execute("""UPDATE timebank_accounts SET balance_minutes = CASE id WHEN ? THEN ? WHEN ? THEN ? END,
                  entry_count = CASE id WHEN ? THEN ? WHEN ? THEN ? END WHERE id IN (?, ?)""",
               (gives[0], gives[1], takes[0], takes[1], gives[0], gives[2], takes[0], takes[2], gives[0], takes[0]))
    db.execute("""INSERT INTO timebank_transfers (id, bank_id, category_id, minutes, service_date, note, slip_number, reverses_id,
                  override_reason, recorded_at, recorded_by_id, recorded_by_login, on_behalf_of_id, purpose)
                  VALUES (?, ?, NULL, ?, '2026-11-20', NULL, NULL, NULL, NULL, ?, NULL, 'load', NULL, NULL)""",
               (transfer, bank, minutes, now))
    db.execute("INSERT INTO timebank_entries VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)",
               (time_ordered_uuid(), transfer, gives[0], minutes, gives[1], gives[2], now,
                time_ordered_uuid(), transfer, takes[0], -minutes, takes[1], takes[2], now))
    db.execute("INSERT INTO idempotency_records VALUES (?, ?, ?, ?, 201, 'application/json; charset=utf-8', ?, ?)",
               (time_ordered_uuid(), user, key, "0" * 64, body % (bank, transfer, provider, recipient), now))
    db.execute("""INSERT INTO timebank_month_totals VALUES (?, '2026-11', ?, ?, ?, 0, 1), (?, '2026-11', ?, ?, 0, ?, 0)
                  ON CONFLICT (bank_id, month, category_id, account_id) DO UPDATE SET
                  earned_minutes = timebank_month_totals.earned_minutes + excluded.earned_minutes,
                  spent_minutes = timebank_month_totals.spent_minutes + excluded.spent_minutes,
                  exchanges = timebank_month_totals.exchanges + excluded.exchanges""",
               (bank, category, gives[0], minutes, bank, category, takes[0], minutes))
    db.execute("COMMIT")
elapsed = time.perf_counter() - start
db.close()
shutil.rmtree(os.path.dirname(path))
print(f"raw_per_s={n / elapsed:.0f} ({n} transfers, one transaction each, in {elapsed:.2f} s)")
