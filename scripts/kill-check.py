#!/usr/bin/env python3
"""A server killed with SIGKILL in the middle of a load loses no acknowledged transfer.

Starts `ashar demo` on a fresh embedded SQLite, sends transfers from 32 clients, kills the server with
SIGKILL while they are in flight, starts it again on the same files, and checks that every transfer that
was answered 201 is in the ledger and that the books still balance.
Usage: scripts/kill-check.py [path to the ashar binary]   (default: the debug build)
"""
import http.client, json, os, random, signal, sqlite3, subprocess, sys, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(
    subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=root, text=True).strip(), "ashar")
work = tempfile.mkdtemp(prefix="ashar-kill-")
port = 18097
env = dict(os.environ, ASHAR_DATA_DIR=os.path.join(work, "data"), PORT=str(port), LOG_LEVEL="warning")


def start(command):
    server = subprocess.Popen([binary, command], cwd=work, env=env, stdout=open(os.path.join(work, command + ".log"), "w"),
                              stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    sys.exit(f"the server did not start: see {work}/{command}.log")


def call(conn, method, path, token, body=None):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


server = start("demo")
token = subprocess.check_output([binary, "token", "create", "--user", "admin"], cwd=work, env=env, text=True,
                                stderr=subprocess.DEVNULL).split()[-1]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
bank = json.loads(call(conn, "GET", "/api/v1/timebanks", token)[1])["items"][0]["id"]
members = [m["id"] for m in json.loads(call(conn, "GET", f"/api/v1/timebanks/{bank}/members?per=200", token)[1])["items"]]

acknowledged, lock, stop = [], threading.Lock(), threading.Event()


def client(n):
    rng = random.Random(n)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            a, b = rng.sample(members, 2)
            status, body = call(c, "POST", f"/api/v1/timebanks/{bank}/transfers", token,
                                {"providerId": a, "recipientId": b, "minutes": rng.randint(5, 30), "serviceDate": "2026-11-20"})
            if status == 201:
                with lock:
                    acknowledged.append(json.loads(body)["id"])
    except (OSError, http.client.HTTPException):
        pass  # the server is gone: what it answered before is what counts


threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
for t in threads:
    t.start()
time.sleep(3)
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for t in threads:
    t.join()
print(f"killed the server with SIGKILL after {len(acknowledged)} acknowledged transfers")
if not acknowledged:
    sys.exit("no transfer was acknowledged before the kill: nothing was tested")

server = start("serve")  # opens the same files again: SQLite replays its write-ahead log
try:
    db = sqlite3.connect(os.path.join(work, "data", "ashar.sqlite"))
    stored = {row[0].upper() for row in db.execute("SELECT id FROM timebank_transfers")}
    lost = [t for t in acknowledged if t.upper() not in stored]
    if lost:
        sys.exit(f"{len(lost)} acknowledged transfers are missing after the restart, e.g. {lost[0]}")
    total = db.execute("SELECT COALESCE(SUM(balance_minutes), 0) FROM timebank_accounts").fetchone()[0]
    drift = db.execute("""SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes !=
                          (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)""").fetchone()[0]
    if total != 0 or drift != 0:
        sys.exit(f"the books do not balance after the restart: sum {total}, accounts off their entries {drift}")
    status, _ = call(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "GET", f"/api/v1/timebanks/{bank}/members", token)
    if status != 200:
        sys.exit(f"the restarted server answers {status}")
    print(f"all {len(acknowledged)} acknowledged transfers are in the ledger after the restart; the books balance")
finally:
    server.terminate()
    server.wait()
