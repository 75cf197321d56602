#!/usr/bin/env python3
"""The survey import's writes in several shapes, by SQLite alone, to tell what the statement's shape and
the rows' order cost: N of a form's stored answers (100,000 by default) written again under new keys in
one transaction, with the server writer's settings (`rawdb.WRITER_PRAGMAS`), then removed.

  SHAPE  values      VALUES (…), 400 rows a statement, answers as JSON text through jsonb(?), keys looked up first
         blob        the same, answers bound as SQLite's binary JSON as stored
         jsoneach    SubmissionService's statement before 2026-12-05: 1,000 rows in one JSON bind (jsonb_each),
                     keys looked up first (5,000 a bind)
         conflict    SubmissionService's statement now: the same, no look-up, ON CONFLICT DO NOTHING RETURNING
  ORDER  file        the rows in a random order, as an export's random keys come
         keys        the rows in the order of their keys

Python's own sqlite3 is older than Ashar's (JSONB came in 3.45): run it with Ashar's SQLite built as a
library from the copy `sqlite-nio` carries, its names without their prefix:

  mkdir -p /tmp/sq && cd /tmp/sq
  sed 's/sqlite_nio_sqlite3/sqlite3/g' $REPO/.build/checkouts/sqlite-nio/Sources/VaporCSQLite/sqlite_nio_sqlite3.c > sqlite3.c
  sed 's/sqlite_nio_sqlite3/sqlite3/g' $REPO/.build/checkouts/sqlite-nio/Sources/VaporCSQLite/include/sqlite_nio_sqlite3.h > sqlite3.h
  gcc -O2 -fPIC -shared -DSQLITE_DQS=0 -DSQLITE_SECURE_DELETE -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_DBSTAT_VTAB \
      -DSQLITE_MAX_VARIABLE_NUMBER=250000 -o libsqlite3.so.0 sqlite3.c -lpthread -lm

Usage: LD_LIBRARY_PATH=/tmp/sq python3 scripts/load/import-shapes.py DATA SHAPE ORDER [N]
Prints the seconds of the look-up, the inserts, the commit and all.
"""
import json, os, sqlite3, sys, time

from rawdb import WRITER_PRAGMAS, time_ordered_uuid

COLUMNS = "id, form_id, instance_key, source, submitted_at, answers, repeats, recorded_by_login, created_at"


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def main(data, shape, order, count):
    db = sqlite3.connect(os.path.join(data, "ashar.sqlite"), isolation_level=None, timeout=60)
    assert sqlite3.sqlite_version_info >= (3, 45), "needs SQLite 3.45 or later: see this script's description"
    for pragma in WRITER_PRAGMAS:
        db.execute("PRAGMA " + pragma)
    form, = db.execute("SELECT form_id FROM needs_submissions LIMIT 1").fetchone()
    rows = [(key + "-shape", *rest) for key, *rest in db.execute(
        "SELECT instance_key, source, submitted_at, json(answers), json(repeats), recorded_by_login, answers, repeats "
        f"FROM needs_submissions WHERE form_id = ? ORDER BY random() LIMIT {count}", (form,))]
    if order == "keys":
        rows.sort(key=lambda row: row[0].encode())
    now, ids = time.time(), [time_ordered_uuid() for _ in rows]
    # JSON binds made before the timing, as the server makes its rows before the write begins.
    texts = ["[" + ",".join("[" + ",".join([json.dumps(i), json.dumps(form), json.dumps(r[0]), json.dumps(r[1]), json.dumps(r[2]),
                                              r[3], r[4] or "null", json.dumps(r[5])]) + "]" for r, i in zip(batch, batch_ids)) + "]"
             for batch, batch_ids in zip(chunks(rows, 1000), chunks(ids, 1000))] if shape in ("jsoneach", "conflict") else []
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    if shape in ("values", "blob"):
        for keys in chunks([r[0] for r in rows], 500):
            db.execute(f"SELECT instance_key FROM needs_submissions WHERE form_id = ? AND instance_key IN ({','.join('?' * len(keys))})",
                       [form] + keys).fetchall()
        looked = time.perf_counter()
        one = "(?, ?, ?, ?, ?, ?, ?, ?, ?)" if shape == "blob" else "(?, ?, ?, ?, ?, jsonb(?), jsonb(?), ?, ?)"
        for batch, batch_ids in zip(chunks(rows, 400), chunks(ids, 400)):
            db.execute(f"INSERT INTO needs_submissions ({COLUMNS}) VALUES " + ", ".join([one] * len(batch)),
                       [p for r, i in zip(batch, batch_ids)
                        for p in (i, form, r[0], r[1], r[2]) + ((r[6], r[7]) if shape == "blob" else (r[3], r[4])) + (r[5], now)])
    else:
        if shape == "jsoneach":
            for keys in chunks([r[0] for r in rows], 5000):
                db.execute("SELECT instance_key FROM needs_submissions WHERE form_id = ? AND instance_key IN "
                           "(SELECT instance_key FROM (SELECT value ->> 0 AS instance_key FROM jsonb_each(?) WHERE true) AS asked)",
                           (form, json.dumps([[k] for k in keys]))).fetchall()
        looked = time.perf_counter()
        tail = " ON CONFLICT (form_id, instance_key) DO NOTHING RETURNING instance_key" if shape == "conflict" else ""
        for text in texts:
            db.execute(f"INSERT INTO needs_submissions ({COLUMNS}) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, "
                       "value ->> 4, jsonb_extract(value, '$[5]'), jsonb_extract(value, '$[6]'), value ->> 7, ? "
                       "FROM jsonb_each(?) WHERE true" + tail, (now, text)).fetchall()
    inserted = time.perf_counter()
    db.execute("COMMIT")
    done = time.perf_counter()
    print(f"{shape} {order}: look-up {looked - start:.2f} s, inserts {inserted - looked:.2f} s, commit {done - inserted:.2f} s, "
          f"all {done - start:.2f} s")
    db.execute("DELETE FROM needs_submissions WHERE instance_key LIKE '%-shape'")


if len(sys.argv) < 4 or sys.argv[2] not in ("values", "blob", "jsoneach", "conflict") or sys.argv[3] not in ("file", "keys"):
    sys.exit(__doc__)
main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 100_000)
