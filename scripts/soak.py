#!/usr/bin/env python3
"""A mixed load for a while, with the server's memory sampled: `ashar demo` on a fresh SQLite, eight
clients booking transfers and reading statements, balances, the registry, the network's indicators,
survey counts and the producer groups, and the resident memory read every 2 s. Passes when no answer was
a 5xx or no answer at all, and memory did not grow after the warm-up (the first quarter): the peak of
the last half may exceed the peak of the second quarter by at most 10 % + 10 MB (caches settle; a leak
keeps climbing).

Usage: scripts/soak.py [--seconds 600] [--ashar PATH]   (CI runs 90 s; the figure in docs/PERFORMANCE.md)
"""
import argparse, os, random, sys, tempfile, threading, time, urllib.parse
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Api, ashar_binary, start, token  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=int, default=600)
parser.add_argument("--ashar")
args = parser.parse_args()
ashar = ashar_binary(args.ashar)
work = tempfile.mkdtemp(prefix="ashar-soak-")
port = 18140
env = dict(os.environ, ASHAR_DATA_DIR=os.path.join(work, "data"), LOG_LEVEL="warning")
server = start(ashar, "demo", env, work, port)
try:
    api = Api(port, token(ashar, env, work, "admin"))
    bank = api("GET", "/timebanks")[1]["items"][0]["id"]
    members = [m["id"] for m in api("GET", f"/timebanks/{bank}/members?per=200")[1]["items"]]
    # The survey questions that can be counted: (form, question) of each select question.
    counted = [(f["id"], q["name"]) for f in api("GET", "/forms")[1]["items"]
               for q in api("GET", f"/forms/{f['id']}")[1]["questions"] if "select" in q["type"].lower()]
    groups = [g["id"] for g in api("GET", "/producer-groups")[1]["items"]]
    reads = [
        lambda: f"/timebanks/{bank}/accounts/{random.choice(members)}/statement",
        lambda: f"/timebanks/{bank}/accounts/{random.choice(members)}",
        lambda: "/people?q=" + urllib.parse.quote(random.choice(["Гүл", "Айгүл", "Асанова", "Nurgul", "жаңы"])),
        lambda: "/indicators?from=2026-01-01&to=2026-12-31",
        lambda: "/forms/{}/frequencies?question={}".format(*random.choice(counted)) if counted else "/forms",
        lambda: f"/producer-groups/{random.choice(groups)}/members" if groups else "/producer-groups",
        lambda: "/documents/expiring",
    ]
    deadline = time.time() + args.seconds
    answers, lock = Counter(), threading.Lock()

    def client(number):
        n = 0
        while time.time() < deadline:
            n += 1
            if random.random() < 0.3:
                provider, recipient = random.sample(members, 2)
                status, _ = api("POST", f"/timebanks/{bank}/transfers",
                                {"providerId": provider, "recipientId": recipient, "minutes": random.randint(5, 30),
                                 "serviceDate": "2026-11-20", "note": "soak"}, key=f"soak-{number}-{n}")
            else:
                status, _ = api("GET", random.choice(reads)())
            with lock:
                answers[status] += 1

    memory = []

    def sample():
        while time.time() < deadline:
            with open(f"/proc/{server.pid}/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            memory.append((time.time(), rss / 1024))
            time.sleep(2)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)] + [threading.Thread(target=sample)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    total = sum(answers.values())
    print(f"{total} answers in {args.seconds} s ({total / args.seconds:.0f}/s): {dict(sorted(answers.items()))}")
    quarter = started + args.seconds / 4
    warmed = max(mb for at, mb in memory if quarter <= at < started + args.seconds / 2)
    late = max(mb for at, mb in memory if at >= started + args.seconds / 2)
    print(f"resident memory: {memory[0][1]:.0f} MB at the start, {warmed:.0f} MB peak after the warm-up, "
          f"{late:.0f} MB peak in the last half")
    failures = {status: count for status, count in answers.items() if status == 0 or status >= 500}
    assert not failures, f"answers that are failures: {failures} (see {work}/server.log)"
    assert late <= warmed * 1.1 + 10, f"memory grew after the warm-up: {warmed:.0f} → {late:.0f} MB"
    print("No failure, and memory held after the warm-up.")
finally:
    server.terminate()
    server.wait()
    if server.returncode in (0, -15):
        import shutil
        shutil.rmtree(work, ignore_errors=True)
