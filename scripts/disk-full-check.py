#!/usr/bin/env python3
"""The embedded SQLite on a nearly full filesystem: `ashar demo` on a small tmpfs, a file filling all but
a few kilobytes of it, then transfers, purchase orders, deliveries, payments and case intakes
(scripts/mixed_writes.py) until the disk refuses them. Every answer is a write (200/201), a refusal by the
rules (422) or "storage full" (507) with a clear message — never a 500, never a dropped connection; reads
go on; once the file is removed, the refused writes are sent again under their keys and work; afterwards
the database passes SQLite's integrity check, holds every acknowledged write once and nothing else, and the
time ledger and every group account balance.

Needs root (it mounts a tmpfs) and a build. Usage: scripts/disk-full-check.py [--ashar PATH]
"""
import argparse, os, subprocess, sys, tempfile

from checks import Api, ashar_binary, start, token
from mixed_writes import MixedWrites, sqlite_rows

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
        load = MixedWrites(Api(PORT, token(ashar, env, work, "admin")), Api(PORT, token(ashar, env, work, "caseworker")))
        database = os.path.join(data, "ashar.sqlite")
        rows = sqlite_rows(database)
        load.before(rows)

        # Fill the filesystem but for a few kilobytes.
        stat = os.statvfs(data)
        filler = os.path.join(data, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - 48 * 1024))
        full = 0
        for n in range(3000):
            status = load.send(0, n)
            assert status in (200, 201, 422, 507), load.sent[-1]
            if status == 507:
                full += 1
                assert load.sent[-1][7]["error"]["code"] == "server.storage-full" and load.sent[-1][7]["error"]["message"], load.sent[-1]
                if full >= 10:
                    break
        print("while full:", load.statuses())
        assert full, "the disk never filled"
        status, _ = load.staff("GET", f"/timebanks/{load.bank}/members?per=5")
        assert status == 200, "reads go on while the disk is full"

        os.remove(filler)
        print(f"after the space was freed, the refused writes sent again under their keys answered: {load.resend_unclear()}")
        for n in range(3000, 3020):
            assert load.send(0, n) in (200, 201, 422), load.sent[-1]
        print(load.verify(rows))

        server.terminate()
        server.wait(timeout=30)
        server = None
        assert sqlite_rows(database)("PRAGMA integrity_check") == [("ok",)]
        print("The database passes its integrity check.")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["umount", data], check=False)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
