#!/usr/bin/env python3
"""A server killed with SIGKILL in the middle of a load loses no acknowledged write and writes nothing twice.

Starts `ashar demo` on a fresh embedded SQLite, sends time bank transfers, purchase orders, deliveries to a
pooled sale, payments to a group and case intakes from 32 clients (scripts/mixed_writes.py), kills the
server with SIGKILL while they are in flight, starts it again on the same files, sends again under their
keys the writes that got no answer, and checks that every acknowledged write is there once, nothing else
is, and the time ledger and every group account balance.
Usage: scripts/kill-check.py [--ashar PATH]   (default: the debug build)
"""
import argparse, os, signal, sys, tempfile, threading, time

from checks import Api, ashar_binary, start, token
from mixed_writes import MixedWrites, sqlite_rows

PORT = 18097


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ashar", default=None)
    args = parser.parse_args()
    ashar = ashar_binary(args.ashar)
    work = tempfile.mkdtemp(prefix="ashar-kill-")
    env = dict(os.environ, ASHAR_DATA_DIR=os.path.join(work, "data"), LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    rows = sqlite_rows(os.path.join(work, "data", "ashar.sqlite"))
    server = start(ashar, "demo", env, work, PORT, log="demo.log")
    try:
        load = MixedWrites(Api(PORT, token(ashar, env, work, "admin"), timeout=10),
                           Api(PORT, token(ashar, env, work, "caseworker"), timeout=10))
        load.before(rows)
        stop = threading.Event()

        def client(c):
            n = 0
            while not stop.is_set():
                n += 1
                if load.send(c, n) == 0:
                    return  # the server is gone: what it answered before is what counts
        threads = [threading.Thread(target=client, args=(c,)) for c in range(32)]
        for t in threads:
            t.start()
        time.sleep(4)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for t in threads:
            t.join()
        print(f"killed the server with SIGKILL after these answers: {load.statuses()}")
        if not any(s[6] in (200, 201) for s in load.sent):
            sys.exit("no write was acknowledged before the kill: nothing was tested")

        server = start(ashar, "serve", env, work, PORT, log="serve.log")  # SQLite replays its write-ahead log
        resent = load.resend_unclear()
        print(f"the writes that got no answer, sent again under their keys, answered: {resent}")
        print(load.verify(rows))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
