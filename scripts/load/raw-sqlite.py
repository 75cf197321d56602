#!/usr/bin/env python3
"""The embedded database's own rate for the writes one transfer makes, without Ashar around it.

One transaction per transfer, as the API books it: two balance UPDATEs with RETURNING, the transfer row,
its two entries in one INSERT. WAL, synchronous=FULL (Ashar's default) and NORMAL, one connection.
Usage: scripts/load/raw-sqlite.py [transfers=3000]
"""
import os, random, sqlite3, sys, tempfile, time, uuid

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
for sync in ("FULL", "NORMAL"):
    path = os.path.join(tempfile.mkdtemp(prefix="ashar-raw-"), "raw.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={sync}")
    db.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL, entry_count INTEGER NOT NULL)")
    db.execute("""CREATE TABLE transfers (id TEXT PRIMARY KEY, bank_id TEXT, minutes INTEGER, service_date TEXT,
                  recorded_at REAL, recorded_by_login TEXT)""")
    db.execute("""CREATE TABLE entries (id TEXT PRIMARY KEY, transfer_id TEXT, account_id TEXT, minutes INTEGER,
                  balance_after INTEGER, sequence INTEGER, recorded_at REAL, UNIQUE (account_id, sequence))""")
    db.execute("CREATE INDEX entries_transfer ON entries (transfer_id)")
    accounts = [str(uuid.uuid4()).upper() for _ in range(50)]
    db.executemany("INSERT INTO accounts VALUES (?, 0, 0)", [(a,) for a in accounts])
    bank = str(uuid.uuid4()).upper()
    start = time.perf_counter()
    for _ in range(n):
        a, b = sorted(random.sample(accounts, 2))
        m = random.randint(5, 30)
        t = str(uuid.uuid4()).upper()
        now = time.time()
        db.execute("BEGIN")
        ra = db.execute("UPDATE accounts SET balance = balance + ?, entry_count = entry_count + 1 WHERE id = ? RETURNING balance, entry_count", (m, a)).fetchone()
        rb = db.execute("UPDATE accounts SET balance = balance - ?, entry_count = entry_count + 1 WHERE id = ? RETURNING balance, entry_count", (m, b)).fetchone()
        db.execute("INSERT INTO transfers VALUES (?, ?, ?, '2026-11-20', ?, 'load')", (t, bank, m, now))
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)",
                   (str(uuid.uuid4()), t, a, m, ra[0], ra[1], now, str(uuid.uuid4()), t, b, -m, rb[0], rb[1], now))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    print(f"synchronous={sync}: {n / elapsed:.0f} transfers/s ({n} in {elapsed:.2f} s)")
