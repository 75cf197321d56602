#!/usr/bin/env python3
"""How Ashar slows down with a long history: each endpoint's latency with SMALL transfers in the
database, then with LARGE (added by `ashar seed`), and the ratio. Goal: no endpoint more than twice as
slow with 1,000,000 transfers as with 10,000.

Starts `ashar demo` (release build) on a fresh embedded SQLite, measures every endpoint below with wrk
(2 connections, a few seconds each; the booking endpoint with 4), seeds, measures again, prints a table.
Usage: scripts/scale-check.py [SMALL=10000] [LARGE=1000000]   (needs wrk and curl)
"""
import math, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "load"))
from endpoints import Server, print_ratios, release_binary, transfers_env, wrk  # noqa: E402

small = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
large = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
seconds = os.environ.get("SECONDS_PER_ENDPOINT", "4")
work = tempfile.mkdtemp(prefix="ashar-scale-")


def measure(server, bank, members):
    member = members[0]
    statement = server.api(f"/timebanks/{bank}/accounts/{member}/statement?per=100")
    last = max(1, math.ceil(statement["total"] / 100))
    base, auth, web = server.base, server.auth, server.web
    rows = [
        ("API balance", base + f"/api/v1/timebanks/{bank}/accounts/{member}", auth),
        ("API statement, first 100 lines", base + f"/api/v1/timebanks/{bank}/accounts/{member}/statement?per=100", auth),
        ("API statement, last 100 lines", base + f"/api/v1/timebanks/{bank}/accounts/{member}/statement?per=100&page={last}", auth),
        ("API members", base + f"/api/v1/timebanks/{bank}/members?per=50", auth),
        ("API banks", base + "/api/v1/timebanks", auth),
        ("page: bank", base + f"/timebanks/{bank}", web),
        ("page: statement, first screen", base + f"/timebanks/{bank}/members/{member}", web),
        ("page: statement, last screen", base + f"/timebanks/{bank}/members/{member}?page={max(1, math.ceil(statement['total'] / 200))}", web),
        ("page: register", base + f"/timebanks/{bank}/register", web),
        ("page: board", base + f"/timebanks/{bank}/board", web),
        ("page: reports", base + f"/timebanks/{bank}/reports", web),
    ]
    figures = {name: wrk(url, header, seconds) for name, url, header in rows}
    figures["API transfer (POST, 4 clients)"] = wrk(base, auth, seconds, clients=4, script="transfers.lua",
                                                    env=transfers_env(server, bank, members))
    return figures, statement["total"]


server = Server(release_binary(), work, os.path.join(work, "data"), 18093)
try:
    banks = server.api("/timebanks")["items"]
    bank = next(b["id"] for b in banks if b["memberCount"] == max(x["memberCount"] for x in banks))
    members = [m["id"] for m in server.api(f"/timebanks/{bank}/members?per=200")["items"]]

    def transfers():
        return int(subprocess.check_output(["sqlite3", os.path.join(work, "data", "ashar.sqlite"),
                                            "SELECT COUNT(*) FROM timebank_transfers"], text=True))

    results = []
    for target in (small, large):
        missing = target - transfers()
        if missing > 0:
            started = time.time()
            server.ashar("seed", "--transfers", str(missing))
            print(f"seeded {missing} transfers in {time.time() - started:.0f} s", flush=True)
        figures, lines = measure(server, bank, members)
        results.append((transfers(), lines, figures))
        print(f"measured with {results[-1][0]} transfers ({lines} lines in the member's statement)", flush=True)

    (n1, l1, a), (n2, l2, b) = results
    print_ratios(f"with {n1:,}", f"with {n2:,}", a, b)
finally:
    server.stop()
