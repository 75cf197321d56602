#!/usr/bin/env python3
"""The embedded SQLite on a nearly full filesystem: `ashar demo` on a small tmpfs, a file filling all but
a few kilobytes of it, then transfers until the disk refuses them. Every answer is a booking (201), a
limit (422) or "storage full" (507) with a clear message — never a 500, never a dropped connection; reads
go on; once the file is removed, writes work again; afterwards the database passes SQLite's integrity
check, holds exactly the transfers that were acknowledged, and its books balance.

Needs root (it mounts a tmpfs) and a build. Usage: scripts/disk-full-check.py [--ashar PATH]
"""
import argparse, os, sqlite3, subprocess, sys, tempfile

from checks import Api, ashar_binary, start, token

PORT = 18150


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ashar", default=None)
    args = parser.parse_args()
    ashar = ashar_binary(args.ashar)
    work = tempfile.mkdtemp(prefix="ashar-full-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", data], check=True)
    server = None
    try:
        env = dict(os.environ, ASHAR_DATA_DIR=data, LOG_LEVEL="warning")
        env.pop("DATABASE_URL", None)
        server = start(ashar, "demo", env, work, PORT)
        call = Api(PORT, token(ashar, env, work, "coordinator"))

        _, banks = call("GET", "/timebanks")
        bank = next(b["id"] for b in banks["items"] if b["name"].startswith("Сарай"))
        _, members = call("GET", f"/timebanks/{bank}/members?per=200")
        ids = [m["id"] for m in members["items"]]

        count = lambda db: db.execute("SELECT COUNT(*) FROM timebank_transfers").fetchone()[0]
        reader = sqlite3.connect(f"file:{os.path.join(data, 'ashar.sqlite')}?mode=ro", uri=True)
        before = count(reader)
        reader.close()

        # Fill the filesystem but for a few kilobytes.
        stat = os.statvfs(data)
        filler = os.path.join(data, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - 48 * 1024))
        acknowledged, statuses, full = [], {}, None
        for n in range(600):
            status, body = call("POST", f"/timebanks/{bank}/transfers",
                                {"providerId": ids[n % len(ids)], "recipientId": ids[(n * 7 + 1) % len(ids)], "minutes": 5,
                                 "serviceDate": "2026-11-20", "note": "x" * 400}, key=f"full-{n}")
            statuses[status] = statuses.get(status, 0) + 1
            assert status in (201, 422, 507), (status, body)
            if status == 201:
                acknowledged.append(body["id"])
            if status == 507:
                full = body
                if statuses[507] >= 5:
                    break
        print("while full:", statuses)
        assert full is not None, "the disk never filled"
        assert full["error"]["code"] == "server.storage-full" and full["error"]["message"], full
        status, _ = call("GET", f"/timebanks/{bank}/members?per=5")
        assert status == 200, "reads go on while the disk is full"

        os.remove(filler)
        for n in range(20):
            status, body = call("POST", f"/timebanks/{bank}/transfers",
                                {"providerId": ids[n % len(ids)], "recipientId": ids[(n + 1) % len(ids)], "minutes": 5,
                                 "serviceDate": "2026-11-20"}, key=f"after-{n}")
            assert status in (201, 422), (status, body)
            if status == 201:
                acknowledged.append(body["id"])
        print("after the space was freed: writes booked again")

        server.terminate()
        server.wait(timeout=30)
        server = None
        db = sqlite3.connect(os.path.join(data, "ashar.sqlite"))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0].upper() for row in db.execute("SELECT id FROM timebank_transfers")}
        assert {a.upper() for a in acknowledged} <= stored, "an acknowledged transfer is missing"
        assert count(db) - before == len(acknowledged), f"{count(db) - before} added, {len(acknowledged)} acknowledged"
        assert db.execute("SELECT COALESCE(SUM(balance_minutes), 0) FROM timebank_accounts").fetchone()[0] == 0
        assert db.execute("""SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes !=
                             (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)""").fetchone()[0] == 0
        db.close()
        print(f"The database is intact: {len(acknowledged)} acknowledged transfers, all there, nothing else; the books balance.")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["umount", data], check=False)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
