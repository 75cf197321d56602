#!/usr/bin/env python3
"""The network's HTTP paths under load, as its users take them (issue 10): recording transfers, reading
balances and statements, settling a purchase round, importing a survey export and cross-tabbing it, the
dashboard. Run through scripts/load.sh.

Usage: scripts/load/paths.py DATA [SECONDS=10] [SURVEY_ROWS=100000]
DATA is a data directory or a PostgreSQL database (postgres://…) grown by `ashar demo --scale
district|national`, or "fresh" for the demo network in a new directory. What it writes stays: the
transfers, the rounds (each in a producer group of its own, settled), the survey answers imported.
"""
import http.client, json, os, statistics, subprocess, sys, tempfile, time, uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from endpoints import Server, release_binary, transfers_env, wrk

if len(sys.argv) < 2:
    sys.exit(__doc__)
work = tempfile.mkdtemp(prefix="ashar-paths-")
data = os.path.join(work, "data") if sys.argv[1] == "fresh" else sys.argv[1]
seconds = sys.argv[2] if len(sys.argv) > 2 else "10"
survey_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
rounds = int(os.environ.get("ROUNDS", "3"))  # settled through the API, and as many by the database alone
# On SQLite, rounds settled by OFFICES clients at once for the API's rate of settling, and as many by the database alone.
rate_rounds, offices = int(os.environ.get("RATE_ROUNDS", "48")), int(os.environ.get("OFFICES", "4"))


def send(server, method, path, body=None, content_type="application/json"):
    """The API's answer to one request, timed: (status, JSON or None, milliseconds)."""
    payload = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + server.token, "Idempotency-Key": str(uuid.uuid4())}
    if payload is not None:
        headers["Content-Type"] = content_type
    # One connection kept open, as an office's client keeps it: the raw writes beside are timed without
    # opening their database either.
    if getattr(server, "connection", None) is None:
        server.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    c = server.connection
    started = time.perf_counter()
    c.request(method, "/api/v1" + path, body=payload, headers=headers)
    r = c.getresponse()
    answer = r.read()
    elapsed = (time.perf_counter() - started) * 1000
    if r.will_close:
        c.close()
        server.connection = None
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {answer[:300]!r}")
    return r.status, json.loads(answer) if answer else None, elapsed


def raw_writes(*args):
    """seconds and rows of scripts/load/raw-writes.py: the same writes by the database alone."""
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "raw-writes.py"), *args],
                         check=True, capture_output=True, text=True).stdout
    return dict(item.split("=") for item in out.split())


def ordered_round(server, group, steps):
    """A joint purchase in `group` taken to "ordered": three articles, an order from every member, closed,
    ordered. Returns the round's id and how many members ordered; the orders' and closing's times go to `steps`."""
    members = [m["id"] for m in server.api(f"/producer-groups/{group}/members?per=200")["items"]]
    deadline = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _, round_, _ = send(server, "POST", f"/producer-groups/{group}/rounds", {"deadline": deadline})
    articles = [send(server, "POST", f"/rounds/{round_['id']}/articles",
                     {"name": name, "unit": "kg", "packageSize": 25,
                      "tiers": [{"minQuantity": 1, "unitPrice": price}, {"minQuantity": 200, "unitPrice": price * 9 // 10}]})[1]["id"]
                for name, price in (("Seed potatoes", 3_000), ("Fertiliser", 4_500), ("Onion sets", 12_000))]
    for i, member in enumerate(members):
        lines = [{"articleId": a, "quantity": 5 + (i * 7 + k * 3) % 40, "tolerance": 5} for k, a in enumerate(articles)]
        steps["order (PUT, one member)"].append(send(server, "PUT", f"/rounds/{round_['id']}/orders/{member}", {"lines": lines})[2])
    steps["close"].append(send(server, "POST", f"/rounds/{round_['id']}/close")[2])
    send(server, "POST", f"/rounds/{round_['id']}/ordered")
    return round_["id"], len(members)


def settle_raw(server, round_id):
    """Seconds the database alone takes to settle the round, with the API's own preview of the bills."""
    bills = send(server, "GET", f"/rounds/{round_id}/settlement")[1]["members"]
    raw = raw_writes("settle", data, round_id, ",".join(f"{b['memberId']}={b['total']}" for b in bills if b["total"] > 0))
    return float(raw["seconds"])


def settle_rounds(server, groups, raw_groups):
    """A joint purchase from start to settlement in each group — in `raw_groups` settled by the database
    alone (scripts/load/raw-writes.py), taking turns with the API so that both meet the same machine.
    Returns the milliseconds of each kind of step."""
    steps = {"order (PUT, one member)": [], "close": [], "settle": [], "settle, the same writes by the database alone": [],
             "settlement (GET)": []}
    for group in [g for pair in zip(groups, raw_groups) for g in pair]:
        round_id, members = ordered_round(server, group, steps)
        if group in raw_groups:
            steps["settle, the same writes by the database alone"].append(settle_raw(server, round_id) * 1000)
            continue
        _, settled, ms = send(server, "POST", f"/rounds/{round_id}/settle")
        assert settled["status"] == "settled", settled
        steps["settle"].append(ms)
        steps["settlement (GET)"].append(send(server, "GET", f"/rounds/{round_id}/settlement")[2])
        print(f"settled a round of {members} members' orders", flush=True)
    return steps


def settle_rate(server, groups, clients):
    """Rounds settled a second: by `clients` offices at once through the API, and one after another by the
    database alone (SQLite lets one writer at a time; what the database alone does is its rate), a round
    in each of `groups` for each. Returns the two rates."""
    steps = {"order (PUT, one member)": [], "close": []}
    api_rounds = [ordered_round(server, g, steps)[0] for g in groups]
    raw_rounds = [ordered_round(server, g, steps)[0] for g in groups]
    offices = [SimpleNamespace(port=server.port, token=server.token, connection=None) for _ in range(clients)]

    def settle(office, rounds):
        for round_id in rounds:
            assert send(office, "POST", f"/rounds/{round_id}/settle")[1]["status"] == "settled"

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(settle, offices, [api_rounds[i::clients] for i in range(clients)]))
    api_rate = len(api_rounds) / (time.perf_counter() - started)
    raw_rate = len(raw_rounds) / sum(settle_raw(server, r) for r in raw_rounds)
    return api_rate, raw_rate


def import_survey(server, form):
    """A KoboToolbox export of `survey_rows` new baseline answers, imported through the API."""
    export = os.path.join(work, "baseline-kobo.csv")
    server.ashar("seed", "--survey-export", str(survey_rows), "--to", export, "--random-seed", str(int(time.time())))
    with open(export, "rb") as f:
        body = f.read()
    _, result, ms = send(server, "POST", f"/forms/{form}/imports?source=kobo", body, content_type="text/csv")
    assert result["imported"] == survey_rows, result
    return ms, len(body)


server = Server(release_binary(), work, data, 18096)
try:
    b, auth, web = server.base, server.auth, server.web
    banks = server.api("/timebanks?per=200")["items"]
    bank = next((x["id"] for x in banks if "(" in x["name"]), banks[0]["id"])  # a generated bank if there is one
    members = [m["id"] for m in server.api(f"/timebanks/{bank}/members?per=200")["items"]]
    member = members[0]
    groups = [g["id"] for g in server.api("/producer-groups?per=200")["items"]]
    form = next(f["id"] for f in server.api("/forms")["items"] if f["formId"] == "ashar_baseline_needs")

    rows = [("transfers recorded (POST, 16 clients)",
             wrk(b, auth, seconds, clients=16, script="transfers.lua", env=transfers_env(server, bank, members)))]
    rows += [(name, wrk(b + path, auth, seconds, clients=4)) for name, path in (
        ("balance (GET, 4 clients)", f"/api/v1/timebanks/{bank}/accounts/{member}"),
        ("statement, first 100 lines (GET, 4 clients)", f"/api/v1/timebanks/{bank}/accounts/{member}/statement?per=100"),
    )]
    steps = settle_rounds(server, groups[-rounds:], groups[-2 * rounds:-rounds])
    rows += [(f"round: {step} ({len(ms)} times)", (statistics.median(ms), max(ms), None)) for step, ms in steps.items() if ms]
    # PostgreSQL lets writers run side by side: its own rate would need the raw settlements run at once too.
    settled_rates = None if data.startswith("postgres") or not rate_rounds else \
        settle_rate(server, [groups[i % len(groups)] for i in range(rate_rounds)], offices)
    # Not needs × district: the server counts that one for the dashboard as it starts.
    crosstab = f"/forms/{form}/crosstab?row=services_wanted&column=district"
    _, _, first = send(server, "GET", crosstab)
    rows.append(("survey cross-tab, first asked (counted over every answer)", (first, first, None)))
    import_started = time.time()
    imported_ms, size = import_survey(server, form)
    rows.append((f"survey import, {survey_rows:,} answers ({size / 1e6:.0f} MB, once)", (imported_ms, imported_ms, None)))
    _, _, after = send(server, "GET", crosstab)
    rows.append(("the same cross-tab after the import (its kept table, the import added)", (after, after, None)))
    _, _, other = send(server, "GET", f"/forms/{form}/crosstab?row=work&column=remittances")
    rows.append(("another cross-tab, first asked after the import (counted)", (other, other, None)))
    rows.append(("survey cross-tab, kept (GET, 4 clients)", wrk(b + "/api/v1" + crosstab, auth, seconds, clients=4)))
    rows.append(("dashboard (page, 4 clients)", wrk(b + "/dashboard", web, seconds, clients=4)))
finally:
    server.stop()
# The same rows written by the database alone (after the server stopped: the raw writes move the form's
# version on, which would make the server count its tables again).
raw_ms = float(raw_writes("import", data, form, str(import_started))["seconds"]) * 1000
rows.append((f"survey import, the same rows by the database alone: the API at {raw_ms / imported_ms:.2f} of its rate", (raw_ms, raw_ms, None)))
if steps["settle, the same writes by the database alone"]:  # a network of more than three groups
    api_settle, raw_settle = statistics.median(steps["settle"]), statistics.median(steps["settle, the same writes by the database alone"])
    print(f"round settled: the API at {raw_settle / api_settle:.2f} of the database's own rate")
if settled_rates:
    api_rate, raw_rate = settled_rates
    print(f"rounds settled a second: {api_rate:.0f} through the API by {offices} offices at once, {raw_rate:.0f} by the database "
          f"alone: the API at {api_rate / raw_rate:.2f} of its rate")

print(f"\n| path ({data}) | p50 | p99 (max for steps) | answers/s |")
print("|---|---|---|---|")
for name, (p50, p99, rate) in rows:
    print(f"| {name} | {p50:,.1f} ms | {p99:,.1f} ms | {'' if rate is None else f'{rate:,.0f}'} |")
