"""The write load the fault checks share (kill-check, pg-restart-check, disk-full-check): time bank transfers,
a member's order in a joint purchase, deliveries to a pooled sale, cash a member pays her group, and case
intakes at a help centre — each under its own Idempotency-Key, as an office sends them.

After the fault, every request that got no clear answer (no answer at all, 503, 507) is sent again under its
key, as an office's queue would, until it is answered. Then `verify` checks, in the database and through the
API, that what was acknowledged is there and nothing more: every transfer answered 201 and no other, each
member's order as last acknowledged, every delivery and case once, every payment once on its member's
account; and that the books balance — the time ledger (entries of each transfer sum to zero, every cached
balance is the sum of its entries) and every group account touched (its balance is the sum of its lines).

A copy told "recorded, answer not ready" (409 api.idempotency-key-in-flight) counts as recorded: its first
copy's write committed before the server could answer.
"""
import datetime, itertools, random, subprocess, threading, time

KINDS = ("transfer", "order", "intake", "payment", "case")
UNCLEAR = (0, 503, 507)


def sqlite_rows(path):
    """A query function on the SQLite file at PATH: rows as tuples of strings (ids in lower case)."""
    import sqlite3

    def rows(query):
        db = sqlite3.connect(path)
        try:
            return [tuple(str(v).lower() if v is not None else "" for v in row) for row in db.execute(query)]
        finally:
            db.close()
    return rows


def postgres_rows(url):
    """A query function on the PostgreSQL database at URL, through psql."""
    def rows(query):
        out = subprocess.check_output(["psql", url.split("?")[0], "-Atq", "-F", "\t", "-c", query], text=True)
        return [tuple(line.lower().split("\t")) for line in out.splitlines() if line]
    return rows


class MixedWrites:
    def __init__(self, staff, caseworker, seed=1):
        """STAFF: an Api of a user who runs the first time bank and the first producer group (admin);
        CASEWORKER: one of a help centre's case workers."""
        self.staff, self.caseworker = staff, caseworker
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.sent = []  # [kind, api, method, path, body, key, status, answer, when answered (a sequence number)]
        self.answered = itertools.count()
        _, banks = staff("GET", "/timebanks")
        self.bank = banks["items"][0]["id"]
        self.bank_members = [m["id"] for m in staff("GET", f"/timebanks/{self.bank}/members?per=200")[1]["items"]]
        _, groups = staff("GET", "/producer-groups")
        self.group = groups["items"][0]["id"]
        self.group_members = [m["id"] for m in staff("GET", f"/producer-groups/{self.group}/members?per=200")[1]["items"]]
        deadline = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).isoformat(timespec="seconds")
        self.round = self._created(staff("POST", f"/producer-groups/{self.group}/rounds", {"deadline": deadline}))
        self.article = self._created(staff("POST", f"/rounds/{self.round}/articles", {
            "name": "Seed potatoes", "unit": "kg", "packageSize": 1, "tiers": [{"minQuantity": 1, "unitPrice": 3000}]}))
        self.pool = self._created(staff("POST", f"/producer-groups/{self.group}/pools", {
            "product": "Dried apricots", "buyer": "Osh-Agro", "gradePrices": {"A": 1000, "B": 800}}))
        self.accounts_before = {m: self._account(m)["balance"] for m in self.group_members}

    @staticmethod
    def _created(answer):
        status, body = answer
        assert status == 201, answer
        return body["id"]

    def _account(self, member):
        status, body = self.staff("GET", f"/producer-groups/{self.group}/members/{member}/account")
        assert status == 200, (status, body)
        return body

    def before(self, rows):
        """What the database holds before the load (ROWS: a query function)."""
        self.transfers_before = {r[0] for r in rows("SELECT id FROM timebank_transfers")}
        self.cases_before = {r[0] for r in rows("SELECT id FROM referrals_cases")}

    def request(self, client, n):
        """The N-th write of CLIENT: (kind, api, method, path, body, key)."""
        rng = random.Random(client * 1_000_003 + n)
        kind = KINDS[n % len(KINDS)]
        key = f"mixed-{client}-{n}"
        if kind == "order" and client >= len(self.group_members):
            kind = "transfer"  # each client orders for her own member only: the last order is known
        if kind == "transfer":
            a, b = rng.sample(self.bank_members, 2)
            return kind, self.staff, "POST", f"/timebanks/{self.bank}/transfers", {
                "providerId": a, "recipientId": b, "minutes": rng.randint(5, 30), "serviceDate": "2026-11-20"}, key
        if kind == "order":
            return kind, self.staff, "PUT", f"/rounds/{self.round}/orders/{self.group_members[client]}", {
                "lines": [{"articleId": self.article, "quantity": n}]}, key
        if kind == "intake":
            return kind, self.staff, "POST", f"/pools/{self.pool}/intakes", {
                "memberId": rng.choice(self.group_members), "quantity": rng.randint(1, 50), "grade": rng.choice("AB")}, key
        if kind == "payment":
            member = rng.choice(self.group_members)
            return kind, self.staff, "POST", f"/producer-groups/{self.group}/members/{member}/payments", {
                "memberId": member, "amount": rng.randint(1, 50) * 100}, key
        return kind, self.caseworker, "POST", "/cases", {
            "alias": f"L-{client}-{n}", "situations": [rng.choice(["legal", "economic", "psychological"])], "riskLevel": "low"}, key

    def send(self, client, n):
        """Sends the N-th write of CLIENT; its status."""
        kind, api, method, path, body, key = self.request(client, n)
        status, answer = api(method, path, body, key=key)
        with self.lock:
            self.sent.append([kind, api, method, path, body, key, status, answer, next(self.answered)])
        return status

    def statuses(self):
        counts = {}
        for s in self.sent:
            counts[s[6]] = counts.get(s[6], 0) + 1
        return counts

    def resend_unclear(self, tries=10):
        """Sends every write that got no clear answer again under its key until it gets one; the answers, counted."""
        unclear = [s for s in self.sent if s[6] in UNCLEAR]
        for s in unclear:
            for attempt in range(tries):
                s[6], s[7] = s[1](s[2], s[3], s[4], key=s[5])
                s[8] = next(self.answered)
                if s[6] not in UNCLEAR:
                    break
                time.sleep(1 + attempt)
            assert s[6] not in UNCLEAR, f"no clear answer to {s[2]} {s[3]} after {tries} tries: {s[6]} {s[7]}"
        answers = {}
        for s in unclear:
            answers[s[6]] = answers.get(s[6], 0) + 1
        return answers

    def verify(self, rows):
        """Everything acknowledged is there, nothing else, and the books balance; a summary line."""
        bad = [(s[0], s[6], s[7]) for s in self.sent if s[6] not in (200, 201, 409, 422)]
        assert not bad, f"unexpected answers: {bad[:3]}"
        for s in self.sent:
            if s[6] in (409, 422):
                assert s[7]["error"]["message"], s
            if s[6] == 409:
                assert s[7]["error"]["code"] == "api.idempotency-key-in-flight", s
        recorded = lambda kind: [s for s in self.sent if s[0] == kind and s[6] in (200, 201, 409)]

        # Time bank: exactly the transfers acknowledged, each answered 201 with its id (a replay returns it).
        transfers = {s[7]["id"].lower() for s in recorded("transfer")}
        added = {r[0] for r in rows("SELECT id FROM timebank_transfers")} - self.transfers_before
        assert all(s[6] == 201 for s in recorded("transfer")), "a transfer's replay was not answered with its transfer"
        assert added == transfers, f"{len(added)} transfers added, {len(transfers)} acknowledged"
        assert rows("SELECT COUNT(*) FROM (SELECT transfer_id FROM timebank_entries GROUP BY transfer_id HAVING SUM(minutes) <> 0) x") == [("0",)]
        assert rows("""SELECT COUNT(*) FROM timebank_accounts a WHERE a.balance_minutes <>
                       (SELECT COALESCE(SUM(minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)""") == [("0",)]
        assert rows("SELECT COALESCE(SUM(balance_minutes), 0) FROM timebank_accounts") == [("0",)]

        # Orders: each client's member has the quantity of the last order applied (a resent one comes last).
        last = {}
        for s in sorted(recorded("order"), key=lambda s: s[8]):
            last[s[3]] = s
        for path, s in last.items():
            member = path.rsplit("/", 1)[1].lower()
            stored = rows(f"SELECT quantity FROM producer_orders WHERE LOWER(CAST(member_id AS TEXT)) = '{member}' AND LOWER(CAST(round_id AS TEXT)) = '{self.round.lower()}'")
            assert stored == [(str(s[4]["lines"][0]["quantity"]),)], f"order of {member}: {stored}, last applied {s[4]}"

        # Deliveries: once each.
        intakes = recorded("intake")
        stored = rows(f"SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM producer_intakes WHERE LOWER(CAST(pool_id AS TEXT)) = '{self.pool.lower()}'")
        assert stored == [(str(len(intakes)), str(sum(s[4]["quantity"] for s in intakes)))], (stored, len(intakes))

        # Payments: once each, on her account; every account's balance is the sum of its lines.
        for member in self.group_members:
            account = self._account(member)
            assert account["balance"] == sum(line["amount"] for line in account["lines"]), f"account of {member} does not add up"
            paid = sum(s[4]["amount"] for s in recorded("payment") if s[4]["memberId"] == member)
            assert account["balance"] - self.accounts_before[member] == paid, f"account of {member}: {paid} paid"

        # Cases: once each.
        cases = recorded("case")
        added_cases = {r[0] for r in rows("SELECT id FROM referrals_cases")} - self.cases_before
        assert len(added_cases) == len(cases), f"{len(added_cases)} cases opened, {len(cases)} acknowledged"
        assert {s[7]["id"].lower() for s in cases if s[6] == 201} <= added_cases

        counts = {kind: len(recorded(kind)) for kind in KINDS}
        return ", ".join(f"{counts[k]} {k}s" for k in KINDS) + " recorded, each once; the books balance"
