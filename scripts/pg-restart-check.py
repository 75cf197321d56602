#!/usr/bin/env python3
"""PostgreSQL restarted under load: `ashar demo` on the database scripts/with-postgres.sh made, eight
clients booking transfers, and the database restarted (pg_ctl restart -m fast) while they do. Requests
caught by the restart fail with a clear answer (503, never a 500 or a half-written record); the server
reconnects by itself and later requests succeed; afterwards every acknowledged transfer is in the
ledger, every transfer has its entries summing to zero, and every balance is the sum of its entries.

Usage: scripts/with-postgres.sh scripts/pg-restart-check.py [--ashar PATH]   (root; after a build)

Found 2026-12-02: with bookings in flight at the restart, their batch never returned (nothing logged)
and every later booking waited behind it. A batch now gives up after 20 s (BookingQueue.longestBatch):
its callers get 503 and the queue goes on. Which await of the driver never ends is still to be found.
"""
import argparse, os, subprocess, sys, tempfile, threading, time

from checks import Api, ashar_binary, start, token

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
        call = Api(PORT, token(ashar, env, work, "coordinator"), timeout=45)

        _, banks = call("GET", "/timebanks")
        bank = next(b["id"] for b in banks["items"] if b["name"].startswith("Сарай"))
        _, members = call("GET", f"/timebanks/{bank}/members?per=200")
        ids = [m["id"] for m in members["items"]]
        sql = lambda q: subprocess.check_output(["psql", url.split("?")[0], "-Atq", "-c", q], text=True).strip()
        before = int(sql("SELECT COUNT(*) FROM timebank_transfers"))

        results, lock, stop = [], threading.Lock(), threading.Event()
        def client(c):
            n = 0
            while not stop.is_set():
                n += 1
                started = time.time()
                status, body = call("POST", f"/timebanks/{bank}/transfers",
                                    {"providerId": ids[(c + n) % len(ids)], "recipientId": ids[(c * 3 + n * 7 + 1) % len(ids)],
                                     "minutes": 5, "serviceDate": "2026-11-20"}, key=f"restart-{c}-{n}")
                with lock:
                    results.append((started, status, body))
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

        statuses = {}
        for _, status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        print(f"restart took {back - restarted:.1f} s; answers: {statuses}")
        late = {}
        for started, status, body in results:
            if started > back + 1:
                key = (status, (body.get("error") or {}).get("code"))
                late[key] = late.get(key, 0) + 1
        print("after the restart:", late)
        bad = [(status, body) for _, status, body in results if status not in (201, 422, 503)]
        assert not bad, f"unclear answers: {bad[:3]}"
        for _, status, body in results:
            if status == 503:
                assert body["error"]["code"] == "server.database-unavailable" and body["error"]["message"], body
        assert any(status == 201 and started > back + 1 for started, status, _ in results), "no booking after the restart"

        acknowledged = {body["id"].lower() for _, status, body in results if status == 201}
        stored = set(sql("SELECT id FROM timebank_transfers").lower().split())
        assert acknowledged <= stored, "an acknowledged transfer is missing"
        added = int(sql("SELECT COUNT(*) FROM timebank_transfers")) - before
        # A request whose answer was lost in the restart may be booked without its 201 having been seen; nothing else.
        assert len(acknowledged) <= added <= len(acknowledged) + statuses.get(503, 0), (len(acknowledged), added)
        assert sql("SELECT COUNT(*) FROM timebank_transfers t WHERE (SELECT COUNT(*) FROM timebank_entries e WHERE e.transfer_id = t.id) < 2") == "0"
        assert sql("SELECT COUNT(*) FROM (SELECT transfer_id FROM timebank_entries GROUP BY transfer_id HAVING SUM(minutes) <> 0) x") == "0"
        assert sql("""SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes <>
                      (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)""") == "0"
        print(f"Recovered by itself: {len(acknowledged)} acknowledged transfers all in the ledger, no half-written record, the books balance.")
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
