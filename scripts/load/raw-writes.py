#!/usr/bin/env python3
"""The database's own rate for two of the API's write paths, without Ashar around them: the same
statements the service runs, in one transaction each, sent by Python's sqlite3 (SQLite, with the
settings of the server's writer: `rawdb.WRITER_PRAGMAS`) or by psql (PostgreSQL, the statements as text,
each statement's time summed from psql's \\timing, so starting psql is not counted).

  import DATA FORM SINCE   the rows an import through the API stored after SINCE (seconds since 1970)
                           written again under new instance keys as SubmissionService.importExport
                           writes them — in the order of their keys, 400 to a statement, each
                           statement skipping a key the form has (ON CONFLICT DO NOTHING) and
                           returning the keys it stored, the form's version moved on — then removed.
                           Each new key is the stored one with `-raw` after it, so that the keys fall
                           all over the form's index of keys as an export's own keys do (a common
                           prefix would put them together on a few pages of it: a quarter of the
                           pages the API's import writes).
                           Not written: the import's one audit row (the log is append-only).
  settle DATA ROUND MEMBER=TOTAL,…
                           settles a round the API has closed, as PurchaseRoundService.settle does: the
                           round, its articles, orders (with their members' rows) and costs read, its
                           status moved on, each member's bill put on her account, the bills and the
                           round's change audited, the request's Idempotency-Key claimed and its
                           answer kept (as the API does for every write sent with one). The bills are
                           the API's own preview of them.

DATA: a data directory or postgres://…   Prints seconds=… rows=…
"""
import csv, io, os, re, sqlite3, subprocess, sys, tempfile, time, uuid

from rawdb import WRITER_PRAGMAS, time_ordered_uuid


class Now:
    """The moment of writing, as each database stores it."""


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, Now):
        return "now()"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def run(data, statements):
    """Runs (sql with ? placeholders, params) in one transaction; the seconds it took."""
    if data.startswith("postgres"):
        def text(sql, params):
            return re.sub(r"\?", lambda _, it=iter(params): literal(next(it)), sql) + ";"
        script = "\\timing on\nBEGIN;\n" + "\n".join(text(*s) for s in statements) + "\nCOMMIT;\n"
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(script)
        try:
            out = subprocess.run(["psql", data.split("?")[0], "-v", "ON_ERROR_STOP=1", "-Atq", "-f", f.name],
                                 check=True, capture_output=True, text=True).stdout
        finally:
            os.remove(f.name)
        return sum(float(ms) for ms in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)) / 1000
    db = sqlite3.connect(os.path.join(data, "ashar.sqlite"), isolation_level=None, timeout=60)
    for pragma in WRITER_PRAGMAS:
        db.execute("PRAGMA " + pragma)
    now = time.time()
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for sql, params in statements:
        db.execute(sql, [now if isinstance(p, Now) else p for p in params]).fetchall()
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def query(data, sql):
    """Rows of one query, as text."""
    if data.startswith("postgres"):
        out = subprocess.run(["psql", data.split("?")[0], "-Atq", "-c", f"COPY ({sql}) TO STDOUT WITH CSV"],
                             check=True, capture_output=True, text=True).stdout
        return [[None if v == "" else v for v in row] for row in csv.reader(io.StringIO(out))]
    db = sqlite3.connect(os.path.join(data, "ashar.sqlite"), timeout=60)
    rows = db.execute(sql).fetchall()
    db.close()
    return rows


def new_id(data):
    return time_ordered_uuid(postgres=data.startswith("postgres"))


def ident(data, value):
    return value.lower() if data.startswith("postgres") else value.upper()


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def raw_import(data, form, since):
    form = ident(data, form)
    postgres = data.startswith("postgres")
    # SQLite stores answers as JSONB, which the sqlite3 module's older SQLite cannot make: the stored
    # bytes are written again as they are (SQLite then does less than Ashar's jsonb() asks of it).
    answers = "answers::text, repeats::text" if postgres else "answers, repeats"
    json = "CAST(? AS JSONB)" if postgres else "?"
    after = f"to_timestamp({since})" if postgres else repr(since)
    rows = query(data, f"""SELECT form_id, instance_key || '-raw', source, submitted_at, {answers}, recorded_by_login
        FROM needs_submissions WHERE form_id = '{form}' AND created_at >= {after} AND instance_key NOT LIKE '%-raw'
        ORDER BY instance_key""")
    statements = []
    for batch in chunks(rows, 400):
        statements.append(("INSERT INTO needs_submissions (id, form_id, instance_key, source, submitted_at, answers, repeats, "
                           "recorded_by_login, created_at) VALUES " + ", ".join([f"(?, ?, ?, ?, ?, {json}, {json}, ?, ?)"] * len(batch))
                           + " ON CONFLICT (form_id, instance_key) DO NOTHING RETURNING instance_key",
                           [p for r in batch for p in [new_id(data)] + list(r) + [Now()]]))
    statements.append(("UPDATE needs_forms SET answers_version = answers_version + 1 WHERE id = ? RETURNING answers_version", [form]))
    try:
        return run(data, statements), len(rows)
    finally:
        # Moved on again: counts a server kept meanwhile must not hold the rows removed.
        run(data, [("DELETE FROM needs_submissions WHERE form_id = ? AND instance_key LIKE '%-raw'", [form]),
                   ("UPDATE needs_forms SET answers_version = answers_version + 1 WHERE id = ?", [form])])


def raw_settle(data, round_id, bills):
    round_id = ident(data, round_id)
    admin, = query(data, "SELECT id FROM users WHERE login = 'admin'")[0]
    key = str(uuid.uuid4())
    statements = [("INSERT INTO idempotency_records (id, user_id, key, request_hash, status, content_type, body, created_at) "
                   "VALUES (?, ?, ?, ?, 0, '', '', ?) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
                   [new_id(data), admin, key, "0" * 64, Now()]),
                  ("SELECT * FROM producer_rounds WHERE id = ?", [round_id]),
                  ("SELECT * FROM producer_rounds WHERE id = ?", [round_id]),
                  ("SELECT * FROM producer_round_articles WHERE round_id = ? ORDER BY position", [round_id]),
                  ("SELECT o.*, m.group_id, m.person_id FROM producer_orders o JOIN producer_members m ON m.id = o.member_id "
                   "WHERE o.round_id = ? ORDER BY o.ordered_at, o.id", [round_id]),
                  ("SELECT * FROM producer_round_costs WHERE round_id = ?", [round_id]),
                  ("UPDATE producer_rounds SET status = 'settled' WHERE id = ?", [round_id])]
    ids = [ident(data, m) for m, _ in bills]
    members = {m: (g, p) for m, g, p in query(data, f"""SELECT id, group_id, person_id FROM producer_members
        WHERE id IN ({','.join(map(literal, ids))})""")}
    entries = [(new_id(data), *members[m], m, -total) for m, (_, total) in zip(ids, bills)]
    statements.append(("INSERT INTO producer_account_entries (id, group_id, member_id, kind, amount, source_id, note, created_at) VALUES "
                       + ", ".join(["(?, ?, ?, 'bill', ?, ?, '', ?)"] * len(entries)),
                       [v for e, group, _, m, amount in entries for v in (e, group, m, amount, round_id, Now())]))
    audit = "INSERT INTO audit_entries (id, at, actor_id, actor_login, on_behalf_of_id, action, entity, entity_id, changes) VALUES "
    line = "(?, ?, ?, 'admin', ?, ?, ?, ?, ?)"
    statements.append((audit + ", ".join([line] * (len(entries) + 1)),
                       [v for e, _, person, _, amount in entries for v in (new_id(data), Now(), admin, person, "create", "producer_account_entry", e,
                                                                          f'[{{"field":"kind","to":"bill"}},{{"field":"amount","to":"{amount}"}}]')]
                       + [new_id(data), Now(), admin, None, "update", "purchase_round", round_id,
                          '[{"field":"status","from":"ordered","to":"settled"}]']))
    statements.append(("UPDATE idempotency_records SET status = 200, content_type = 'application/json; charset=utf-8', body = ? "
                       "WHERE user_id = ? AND key = ? AND status = 0",
                       [f'{{"id":"{round_id}","status":"settled"}}', admin, key]))
    seconds = run(data, statements)
    status, = query(data, f"SELECT status FROM producer_rounds WHERE id = '{round_id}'")[0]
    if status != "settled":
        sys.exit(f"the round is {status}, not settled")
    return seconds, len(bills)


if len(sys.argv) < 4 or sys.argv[1] not in ("import", "settle"):
    sys.exit(__doc__)
if sys.argv[1] == "import":
    seconds, rows = raw_import(sys.argv[2], sys.argv[3], float(sys.argv[4]))
else:
    seconds, rows = raw_settle(sys.argv[2], sys.argv[3], [(m, int(t)) for m, t in (b.split("=") for b in sys.argv[4].split(","))])
print(f"seconds={seconds:.4f} rows={rows}")
