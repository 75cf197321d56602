#!/usr/bin/env python3
"""PostgreSQL restarted under load: `ashar demo` on the database scripts/with-postgres.sh made, eight
clients sending transfers, purchase orders, deliveries, payments and case intakes (scripts/mixed_writes.py),
and the database restarted (pg_ctl restart -m fast) while they do. Requests caught by the restart fail
with a clear answer (503, never a 500 or a half-written record); the server reconnects by itself and later
requests succeed; the writes that failed are sent again under their keys; afterwards every acknowledged
write is there once, nothing else is, and the time ledger and every group account balance.

Usage: scripts/with-postgres.sh scripts/pg-restart-check.py [--ashar PATH]   (root; after a build)

Found 2026-12-02: with writes in flight at the restart, a query sent on a closing connection never
returned (nothing logged), its request waited for ever, and enough of them left the pool without a
connection. A write transaction on PostgreSQL is now watched: once its connection has closed it is given
up with a 503 (StuckWrites) and the pool is replaced (PostgresStuckWrites); the writes sent again under
their keys succeed.
"""
import argparse, os, subprocess, sys, tempfile, threading, time

from checks import Api, ashar_binary, start, token
from mixed_writes import MixedWrites, postgres_rows

PORT = 18160


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ashar", default=None)
    args = parser.parse_args()
    ashar = ashar_binary(args.ashar)
    pg_data, pg_bin, url = os.environ["ASHAR_PG_DATA"], os.environ["ASHAR_PG_BIN"], os.environ["DATABASE_URL"]
    work = tempfile.mkdtemp(prefix="ashar-pgrestart-")
    env = dict(os.environ, LOG_LEVEL="warning")
    server = start(ashar, "demo", env, work, PORT)
    try:
        load = MixedWrites(Api(PORT, token(ashar, env, work, "admin"), timeout=90),
                           Api(PORT, token(ashar, env, work, "caseworker"), timeout=90))
        rows = postgres_rows(url)
        load.before(rows)
        answered, stop = [], threading.Event()

        def client(c):
            n = 0
            while not stop.is_set():
                n += 1
                started = time.time()
                answered.append((started, load.send(c, n)))
        threads = [threading.Thread(target=client, args=(c,)) for c in range(8)]
        for t in threads:
            t.start()
        time.sleep(4)
        restarted = time.time()
        subprocess.run(["runuser", "-u", "postgres", "--", f"{pg_bin}/pg_ctl", "-D", pg_data, "-m", "fast", "-w", "restart"],
                       check=True, stdout=subprocess.DEVNULL)
        back = time.time()
        time.sleep(30)
        stop.set()
        for t in threads:
            t.join()

        print(f"restart took {back - restarted:.1f} s; answers: {load.statuses()}")
        refused = [s for s in load.sent if s[6] == 503]
        assert all(s[7]["error"]["code"] == "server.database-unavailable" and s[7]["error"]["message"] for s in refused), refused[:1]
        silent = [(s[0], s[3], s[7]) for s in load.sent if s[6] == 0]
        assert not silent, f"requests got no answer at all: {silent}"
        assert any(status in (200, 201) and started > back + 1 for started, status in answered), "no write after the restart"
        print(f"the writes refused during the restart, sent again under their keys, answered: {load.resend_unclear()}")
        print("Recovered by itself: " + load.verify(rows))
    except AssertionError:
        # The server's own account of what went wrong: its log goes with the work directory.
        with open(os.path.join(work, "server.log")) as log:
            print("".join(line for line in log if "Opening new connection" not in line)[-20_000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
