#!/usr/bin/env python3
"""The network dashboard as a coordinator gets it: logs in as the demo admin and times whole pages
(the indicators, the charts by district and over time, rendered) from a running server, one after another.

Start the server on the network to measure first, e.g. the national-scale one:
    ASHAR_DATA_DIR=/var/tmp/ashar-national LOG_LEVEL=warning .build-release/release/ashar demo --scale national
then: scripts/load/dashboard.py [BASE=http://127.0.0.1:8080] [TIMES=20]
Prints each page's size and its p50, p90 and slowest time (the first two requests warm up and are left out).
"""
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
times = int(sys.argv[2]) if len(sys.argv) > 2 else 20
year = time.strftime("%Y")
pages = [
    f"/dashboard?from={year}-01-01&to={year}-12-31&by=month",
    f"/dashboard?from={int(year) - 2}-01-01&to={year}-12-31&by=quarter",
    f"/donor-report?from={year}-01-01&to={year}-12-31",
]

browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
form = browser.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
browser.open(base + "/login", data=urllib.parse.urlencode(
    {"_csrf": csrf, "identifier": "admin", "password": "ashar-demo-2026"}).encode()).read()

for page in pages:
    took = []
    for _ in range(times + 2):
        started = time.perf_counter()
        body = browser.open(base + page).read()
        took.append((time.perf_counter() - started) * 1000)
    took = sorted(took[2:])
    print(f"{page}: {len(body) // 1024} kB, p50 {statistics.median(took):.0f} ms, "
          f"p90 {took[int(len(took) * 0.9) - 1]:.0f} ms, slowest {took[-1]:.0f} ms")
