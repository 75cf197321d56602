#!/usr/bin/env python3
"""The embedded database's own rate for the writes one recorded transfer makes, without Ashar around it.

Runs on a copy of an Ashar database (the one `scripts/load-transfers.sh` loaded, so the schema, its
indexes, triggers and foreign keys, and the data already in it are the same) with the settings of Ashar's
writer (`rawdb.WRITER_PRAGMAS`: WAL, synchronous=FULL, secure_delete, foreign keys on, its page cache).
One transaction per transfer, one connection, the statements the API's ledger runs for it: read the two
members' accounts and the Idempotency-Key, update both balances, insert the transfer, its two entries,
the kept answer and the month totals.
Usage: scripts/load/raw-sqlite.py DATABASE [transfers=3000]

With --bulk, the database's own rate for what `ashar seed --transfers N` and `ashar demo --scale` write:
exchanges among each bank's members, bank after bank, a thousand to a batch and ten batches to a
transaction, with the settings of Ashar's bulk load (synchronous=NORMAL, a page cache of a gigabyte, the
log checkpointed every 100,000 pages); each batch reads its members' accounts, updates their balances,
inserts the transfers and entries, and adds to the month, day and network totals — each statement
prepared once and stepped per row, which is as fast as SQLite takes rows. Runs on a plain copy of the file.
Usage: scripts/load/raw-sqlite.py --bulk DATABASE [exchanges=200000]
"""
import os, random, shutil, sqlite3, sys, tempfile, time

from rawdb import WRITER_PRAGMAS, time_ordered_uuid


def one_by_one(source, n):
    path = os.path.join(tempfile.mkdtemp(prefix="ashar-raw-"), "raw.sqlite")
    copy = sqlite3.connect(source)
    copy.execute("VACUUM INTO ?", (path,))
    copy.close()

    db = sqlite3.connect(path, isolation_level=None)
    for pragma in WRITER_PRAGMAS:
        db.execute("PRAGMA " + pragma)
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


def bulk(source, n):
    workdir = tempfile.mkdtemp(prefix="ashar-raw-bulk-")
    path = os.path.join(workdir, "raw.sqlite")
    shutil.copyfile(source, path)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "secure_delete=ON", "foreign_keys=ON", "temp_store=MEMORY",
                   "cache_size=-1000000", "wal_autocheckpoint=100000"):
        db.execute("PRAGMA " + pragma)
    banks = {}
    for bank, member in db.execute("SELECT bank_id, member_id FROM timebank_accounts WHERE member_id IS NOT NULL"):
        banks.setdefault(bank, []).append(member)
    categories = [c for c, in db.execute("SELECT id FROM timebank_categories")]
    today = time.time()
    rng = random.Random(7)
    per_bank = n // len(banks)
    start = time.perf_counter()
    for bank, members in banks.items():
        for first in range(0, per_bank, 10_000):
            db.execute("BEGIN IMMEDIATE")
            for batch_start in range(first, min(first + 10_000, per_bank), 1_000):
                size = min(1_000, per_bank - batch_start)
                pairs = [rng.sample(members, 2) for _ in range(size)]
                involved = list({m for pair in pairs for m in pair})
                accounts = {r[6]: list(r) for r in db.execute(
                    f"""SELECT id, bank_id, balance_minutes, entry_count, lower_limit_minutes, upper_limit_minutes, member_id
                        FROM timebank_accounts WHERE member_id IN ({",".join("?" * len(involved))}) ORDER BY id""", involved)}
                now = time.time()
                transfers, entries, months, days = [], [], {}, {}
                for provider, recipient in pairs:
                    minutes = 15 * rng.randint(1, 16)
                    day = time.strftime("%Y-%m-%d", time.gmtime(today - 86_400 * rng.randrange(3 * 365)))
                    category = rng.choice(categories)
                    transfer = time_ordered_uuid()
                    transfers.append((transfer, bank, category, minutes, day, now, "system"))
                    for member, delta in ((provider, minutes), (recipient, -minutes)):
                        account = accounts[member]
                        account[2] += delta
                        account[3] += 1
                        entries.append((time_ordered_uuid(), transfer, account[0], delta, account[2], account[3], now))
                        total = months.setdefault((bank, day[:7], category, account[0]), [0, 0, 0])
                        if delta > 0:
                            total[0] += delta
                            total[2] += 1
                        else:
                            total[1] -= delta
                    days[(bank, day)] = days.get((bank, day), 0) + minutes
                db.executemany("UPDATE timebank_accounts SET balance_minutes = ?, entry_count = ? WHERE id = ?",
                               [(a[2], a[3], a[0]) for a in accounts.values()])
                db.executemany("""INSERT INTO timebank_transfers (id, bank_id, category_id, minutes, service_date, note, slip_number,
                                      reverses_id, override_reason, recorded_at, recorded_by_id, recorded_by_login, on_behalf_of_id, purpose)
                                  VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, NULL, ?, NULL, NULL)""", transfers)
                db.executemany("INSERT INTO timebank_entries VALUES (?, ?, ?, ?, ?, ?, ?)", entries)
                db.executemany("""INSERT INTO timebank_month_totals VALUES (?, ?, ?, ?, ?, ?, ?)
                                  ON CONFLICT (bank_id, month, category_id, account_id) DO UPDATE SET
                                  earned_minutes = timebank_month_totals.earned_minutes + excluded.earned_minutes,
                                  spent_minutes = timebank_month_totals.spent_minutes + excluded.spent_minutes,
                                  exchanges = timebank_month_totals.exchanges + excluded.exchanges""",
                               [key + tuple(total) for key, total in months.items()])
                db.executemany("""INSERT INTO timebank_day_totals VALUES (?, ?, ?, 0)
                                  ON CONFLICT (bank_id, day) DO UPDATE SET minutes = timebank_day_totals.minutes + excluded.minutes""",
                               [key + (minutes,) for key, minutes in days.items()])
                by_month = {}
                for (bank_id, day), minutes in days.items():
                    by_month[(bank_id, day[:7])] = by_month.get((bank_id, day[:7]), 0) + minutes
                db.executemany("""INSERT INTO network_month_counts VALUES ('minutes-earned', ?, ?, ?)
                                  ON CONFLICT (figure, month, key_id) DO UPDATE SET count = network_month_counts.count + excluded.count""",
                               [(bank_id, month, minutes) for (bank_id, month), minutes in by_month.items()])
            db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as Ashar's bulk load ends
    elapsed = time.perf_counter() - start
    booked = per_bank * len(banks)
    db.close()
    shutil.rmtree(workdir)
    print(f"raw_bulk_per_s={booked / elapsed:.0f} ({booked} exchanges in {elapsed:.2f} s, {len(banks)} banks, "
          "1,000 to a batch, 10 batches to a transaction)")


if sys.argv[1] == "--bulk":
    bulk(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200_000)
else:
    one_by_one(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
