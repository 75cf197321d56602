#!/usr/bin/env python3
"""Two offices' worth of Ashar on loopback: a centre (`ashar demo`, on the PostgreSQL DATABASE_URL names,
or SQLite) and an office server on its own SQLite, the line between them through a proxy that passes,
is cut, or loses answers (scripts/line.py). The office is set up from the centre, books while cut off
— one exchange passes a limit at the centre meanwhile — then syncs through a line that loses the first
answer, and again. Afterwards every balance of the bank is the same on both, the refused exchange is
undone at the office, and the booked one is at the centre once.

Run after a build; it stops what it starts. Usage: scripts/sync-check.py [--ashar PATH]
"""
import argparse, os, shutil, subprocess, sys, tempfile

from checks import Api, ashar_binary, start, token
from line import Line

CENTRE, OFFICE = 18095, 18096


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ashar", default=None)
    args = parser.parse_args()
    ashar = ashar_binary(args.ashar)
    work = tempfile.mkdtemp(prefix="ashar-sync-")
    centre_env = dict(os.environ, ASHAR_DATA_DIR=os.path.join(work, "centre"), PORT=str(CENTRE))
    office_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_SCHEMA")}
    office_env.update(ASHAR_DATA_DIR=os.path.join(work, "office"), PORT=str(OFFICE), ASHAR_SYNC_EVERY="100000")
    os.makedirs(centre_env["ASHAR_DATA_DIR"])
    os.makedirs(office_env["ASHAR_DATA_DIR"])
    processes = []
    try:
        processes.append(start(ashar, "demo", centre_env, work, CENTRE, "centre.log"))
        centre = Api(CENTRE, token(ashar, centre_env, work, "coordinator"))
        _, banks = centre("GET", "/timebanks")
        bank = next(b["id"] for b in banks["items"] if b["name"].startswith("Сарай"))

        line = Line(("127.0.0.1", CENTRE))
        office_env.update(ASHAR_SYNC_CENTRE=f"http://127.0.0.1:{line.port}", ASHAR_SYNC_TOKEN=centre.token)
        def sync(*extra):
            return subprocess.run([ashar, "sync", *extra], env=office_env, cwd=work, capture_output=True, text=True, timeout=300)
        setup = sync("--bank", bank)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        print("office set up:", setup.stdout.strip().splitlines()[-1])
        subprocess.run([ashar, "user", "create", "--login", "office", "--name", "Осмонова Бурул", "--role", "coordinator",
                        "--organisation", bank], env=dict(office_env, ASHAR_PASSWORD="office-pass-2026"), cwd=work, check=True,
                       capture_output=True)
        processes.append(start(ashar, "serve", office_env, work, OFFICE, "office.log"))
        office = Api(OFFICE, token(ashar, office_env, work, "office"))

        def members(server):
            _, page = server("GET", f"/timebanks/{bank}/members?per=200")
            return {m["memberNumber"]: m for m in page["items"]}
        before = members(office)
        assert before and {n: m["balanceMinutes"] for n, m in before.items()} == \
            {n: m["balanceMinutes"] for n, m in members(centre).items()}, "the office starts with the centre's balances"

        # Cut off: the office registers a woman and books two slips; its sync fails and changes nothing.
        line.set("cut")
        _, villages = office("GET", "/villages?q=saray")
        status, person = office("POST", "/people", {"fullName": "Токтосунова Чолпон", "sex": "female", "birthYear": 1990,
                                                                       "villageId": villages["items"][0]["id"]})
        assert status == 201, person
        status, joined = office("POST", f"/timebanks/{bank}/members", {"personId": person["id"]})
        assert status == 201, joined
        # Who pays the refused slip: a member halfway down, with room for it at the office; the centre's hour
        # for her comes from the one furthest below zero (furthest from any upper limit).
        ordered = sorted(before.values(), key=lambda m: m["balanceMinutes"])
        giver, low, rich = ordered[0], ordered[len(ordered) // 2], ordered[-1]
        room = low["balanceMinutes"] - (-600)  # the demo banks' lower limit: −10 h
        kept = office("POST", f"/timebanks/{bank}/transfers",
                   {"providerId": joined["id"], "recipientId": rich["id"], "minutes": 30, "serviceDate": "2026-11-20", "slipNumber": "SYNC-1"})
        refused = office("POST", f"/timebanks/{bank}/transfers",
                      {"providerId": joined["id"], "recipientId": low["id"], "minutes": 45, "serviceDate": "2026-11-21", "slipNumber": "SYNC-2"})
        assert kept[0] == 201 and refused[0] == 201, (kept, refused)
        failed = sync()
        assert failed.returncode != 0, "a sync over a cut line fails"

        # Meanwhile at the centre the poorest member spends all but 30 minutes of her room: 45 more would pass the limit there.
        spend = room - 30
        status, _ = centre("POST", f"/timebanks/{bank}/transfers",
                        {"providerId": giver["id"], "recipientId": low["id"], "minutes": spend, "serviceDate": "2026-11-22"})
        assert status == 201

        # The line returns losing answers: the centre takes the rows, the office never hears. Then it passes.
        line.set("lose")
        lost = sync()
        assert lost.returncode != 0, "the answer was lost"
        line.set("pass")
        done = sync()
        assert done.returncode == 0, done.stdout + done.stderr
        print("after the line returned:", done.stdout.strip().splitlines()[-1])
        assert "refused by the centre 1" in done.stdout, done.stdout

        at_office, at_centre = members(office), members(centre)
        assert {n: m["balanceMinutes"] for n, m in at_office.items()} == {n: m["balanceMinutes"] for n, m in at_centre.items()}, \
            "every balance the same on both"
        assert at_centre[joined["memberNumber"]]["id"] == joined["id"], "the office's member is at the centre under her id"
        assert at_office[low["memberNumber"]]["balanceMinutes"] == low["balanceMinutes"] - spend, "the refused slip is undone at the office"
        assert at_office[rich["memberNumber"]]["balanceMinutes"] == rich["balanceMinutes"] - 30, "the kept slip counted once"
        assert at_office[giver["memberNumber"]]["balanceMinutes"] == giver["balanceMinutes"] + spend, "the centre's exchange came to the office"
        again = sync()
        assert again.returncode == 0 and "Sent 0, refused by the centre 0, received 0" in again.stdout, again.stdout
        print("Office and centre agree: nothing lost, nothing booked twice, the refusal undone at the office.")
    finally:
        for p in processes:
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
