#!/usr/bin/env python3
"""How Ashar slows down with a long history: each endpoint's latency with SMALL transfers in the
database, then with LARGE (added by `ashar seed`), and the ratio. Goal: no endpoint more than twice as
slow with 1,000,000 transfers as with 10,000.

Starts `ashar demo` (release build) on a fresh embedded SQLite, measures every endpoint below with wrk
(2 connections, a few seconds each; the booking endpoint with 4), seeds, measures again, prints a table.
Usage: scripts/scale-check.py [SMALL=10000] [LARGE=1000000]   (needs wrk and curl)
"""
import http.client, json, math, os, re, subprocess, sys, tempfile, time, urllib.parse

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
small = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
large = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
binary = os.environ.get("ASHAR_BIN") or os.path.join(subprocess.check_output(
    ["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--show-bin-path"], cwd=root, text=True).strip(), "ashar")
work = tempfile.mkdtemp(prefix="ashar-scale-")
port = 18093
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, ASHAR_DATA_DIR=os.path.join(work, "data"), PORT=str(port), LOG_LEVEL="warning")
seconds = os.environ.get("SECONDS_PER_ENDPOINT", "4")


def ashar(*args):
    return subprocess.check_output([binary, *args], cwd=work, env=env, text=True, stderr=subprocess.STDOUT)


def api(path, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/api/v1" + path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    assert r.status == 200, (path, r.status)
    return json.loads(r.read())


def session_cookie():
    """Logs in as the network admin through the login form, as a browser would."""
    jar = os.path.join(work, "cookies")
    form = subprocess.check_output(["curl", "-fsS", "-c", jar, "-b", jar, base + "/login"], text=True)
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
    subprocess.check_call(["curl", "-fsS", "-o", "/dev/null", "-c", jar, "-b", jar, "--data-urlencode", "identifier=admin",
                           "--data-urlencode", "password=ashar-demo-2026", "--data-urlencode", f"_csrf={csrf}", base + "/login"])
    for line in open(jar):
        fields = line.strip().split("\t")
        if len(fields) == 7 and "session" in fields[5]:
            return f"{fields[5]}={fields[6]}"
    sys.exit("no session cookie after logging in")


def wrk(url, header, clients=2, script=None):
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-H", header]
    if script:
        command += ["-s", os.path.join(root, "scripts/load/transfers.lua")]
    out = subprocess.check_output(command + [url], text=True, env=wrk_env)
    if "Non-2xx" in out and not script:
        sys.exit(f"{url}: answers other than 2xx\n{out}")

    def ms(label):
        value, unit = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return ms("50%"), ms("99%")


def measure(token, cookie, bank, member):
    statement = api(f"/timebanks/{bank}/accounts/{member}/statement?per=100", token)
    last = max(1, math.ceil(statement["total"] / 100))
    auth, web = f"Authorization: Bearer {token}", f"Cookie: {cookie}"
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
    figures = {name: wrk(url, header) for name, url, header in rows}
    figures["API transfer (POST, 4 clients)"] = wrk(base, auth, clients=4, script=True)
    return figures, statement["total"]


server = subprocess.Popen([binary, "demo"], cwd=work, env=env, stdout=open(os.path.join(work, "server.log"), "w"),
                          stderr=subprocess.STDOUT)
try:
    for _ in range(240):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.5)
    token = ashar("token", "create", "--user", "admin").split()[-1]
    banks = api("/timebanks", token)["items"]
    bank = next(b["id"] for b in banks if b["memberCount"] == max(x["memberCount"] for x in banks))
    members = [m["id"] for m in api(f"/timebanks/{bank}/members?per=200", token)["items"]]
    wrk_env = dict(os.environ, ASHAR_TOKEN=token, ASHAR_BANK=bank, ASHAR_MEMBERS=",".join(members))
    cookie = session_cookie()

    def transfers():
        return int(subprocess.check_output(["sqlite3", os.path.join(work, "data", "ashar.sqlite"),
                                            "SELECT COUNT(*) FROM timebank_transfers"], text=True))

    results = []
    for target in (small, large):
        missing = target - transfers()
        if missing > 0:
            started = time.time()
            ashar("seed", "--transfers", str(missing))
            print(f"seeded {missing} transfers in {time.time() - started:.0f} s", flush=True)
        figures, lines = measure(token, cookie, bank, members[0])
        results.append((transfers(), lines, figures))
        print(f"measured with {results[-1][0]} transfers ({lines} lines in the member's statement)", flush=True)

    (n1, l1, a), (n2, l2, b) = results
    print(f"\n| endpoint | p50 / p99 with {n1:,} | p50 / p99 with {n2:,} | p50 ratio |")
    print("|---|---|---|---|")
    for name in a:
        print(f"| {name} | {a[name][0]:.1f} / {a[name][1]:.1f} ms | {b[name][0]:.1f} / {b[name][1]:.1f} ms | {b[name][0] / a[name][0]:.2f} |")
finally:
    server.terminate()
    server.wait()
