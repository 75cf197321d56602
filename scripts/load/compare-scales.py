#!/usr/bin/env python3
"""Every main endpoint at district scale and at national scale, and how much slower each is at the
larger. Goal (issue 10): none more than twice as slow.

Usage: scripts/load/compare-scales.py DISTRICT NATIONAL   (needs wrk and curl)
Each is a data directory `ashar demo --scale district|national` grew (ASHAR_DATA_DIR), or the URL of a
PostgreSQL database it grew (DATABASE_URL, postgres://…). The script starts
the release server on each in turn, finds the same things in both (the first generated bank and its
first member, the first generated producer group, the baseline survey) and measures each endpoint with
wrk (2 connections, SECONDS_PER_ENDPOINT seconds, default 4; the booking endpoint with 4 connections),
and the first cross-tab of the survey once on its own (later ones come from the counts kept for it).
"""
import math, os, re, sys, tempfile, time, urllib.parse

from endpoints import Server, print_ratios, release_binary, transfers_env, wrk

if len(sys.argv) != 3:
    sys.exit(__doc__)
seconds = os.environ.get("SECONDS_PER_ENDPOINT", "4")
work = tempfile.mkdtemp(prefix="ashar-scales-")


def endpoints(server):
    banks = server.api("/timebanks?per=200")["items"]
    bank = next(b["id"] for b in banks if "(" in b["name"])  # generated banks name their district
    members = [m["id"] for m in server.api(f"/timebanks/{bank}/members?per=200")["items"]]
    member = members[0]
    lines = server.api(f"/timebanks/{bank}/accounts/{member}/statement?per=100")["total"]
    groups = server.api("/producer-groups?per=200")["items"]
    group = next(g["id"] for g in groups if re.search(r"-\d+»", g["name"]))  # generated groups are numbered
    form = next(f["id"] for f in server.api("/forms")["items"] if f["formId"] == "ashar_baseline_needs")
    person = server.api("/people?per=1")["items"][0]
    b, auth, web = server.base, server.auth, server.web
    rows = [
        # Lists a page of the same length at both scales (a district has six banks): what is compared is
        # the network's size, not the page's.
        ("API time banks (a page of 5)", f"/api/v1/timebanks?per=5", auth),
        ("API a bank's members", f"/api/v1/timebanks/{bank}/members?per=50", auth),
        ("API balance", f"/api/v1/timebanks/{bank}/accounts/{member}", auth),
        ("API statement, first 100 lines", f"/api/v1/timebanks/{bank}/accounts/{member}/statement?per=100", auth),
        ("API statement, last 100 lines", f"/api/v1/timebanks/{bank}/accounts/{member}/statement?per=100&page={max(1, math.ceil(lines / 100))}", auth),
        ("API people, first page", "/api/v1/people?per=50", auth),
        ("API people, a name searched", "/api/v1/people?q=" + urllib.parse.quote(person["fullName"].split()[0]), auth),
        ("API producer groups (a page of 5)", "/api/v1/producer-groups?per=5", auth),
        ("API a group's members", f"/api/v1/producer-groups/{group}/members", auth),
        ("API a group's fund", f"/api/v1/producer-groups/{group}/fund", auth),
        ("API survey frequencies (household size)", f"/api/v1/forms/{form}/frequencies?question=household_size", auth),
        ("API survey cross-tab (needs × district)", f"/api/v1/forms/{form}/crosstab?row=needs&column=district", auth),
        ("page: dashboard", "/dashboard", web),
        ("page: donor report", "/donor-report", web),
        ("page: registry", "/people", web),
        ("page: a bank", f"/timebanks/{bank}", web),
        ("page: statement, first screen", f"/timebanks/{bank}/members/{member}", web),
        ("page: register", f"/timebanks/{bank}/register", web),
        ("page: board", f"/timebanks/{bank}/board", web),
        ("page: bank reports", f"/timebanks/{bank}/reports", web),
        ("page: producer groups", "/producer-groups", web),
        ("page: a producer group", f"/producer-groups/{group}", web),
        ("page: a group's fund", f"/producer-groups/{group}/fund", web),
        ("page: survey analysis (needs × district)", f"/forms/{form}/analysis?question=needs&by=district", web),
        ("page: who offers what where", "/directory", web),
        ("page: audit log", "/audit", web),
    ]
    # The counts of a form's answers are kept until its next submission: time the first count on its own.
    started = time.perf_counter()
    server.api(f"/forms/{form}/crosstab?row=services_wanted&column=district")
    first = (time.perf_counter() - started) * 1000
    figures = {"API survey cross-tab, the first (counted, then kept)": (first, first)}
    figures.update({name: wrk(b + path, header, seconds) for name, path, header in rows})
    figures["API transfer (POST, 4 clients)"] = wrk(b, auth, seconds, clients=4, script="transfers.lua",
                                                    env=transfers_env(server, bank, members))
    return figures


results = []
for data_dir in sys.argv[1:]:
    server = Server(release_binary(), work, data_dir, 18094)
    try:
        results.append(endpoints(server))
    finally:
        server.stop()
    print(f"measured {data_dir}", flush=True)
print_ratios("district", "national", *results)
