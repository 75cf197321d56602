import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import SQLKit
import TestSupport
import Testing
import TimeBank

/// A bank with members, for the ledger tests.
struct BankFixture {
    let bank: BankRecord
    let members: [MemberRecord]

    static func make(_ db: any Database, members count: Int = 3, settings: BankSettingsDraft = .init()) async throws -> BankFixture {
        let make = Factories(db: db)
        let saray = try await make.village()
        let org = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray)
        let bank = try await TimeBankService(db: db).open(org.id, settings: settings, by: .system)
        var members: [MemberRecord] = []
        for i in 0..<count {
            let person = try await make.person("Мүчө \(["Айгүл", "Бурул", "Чолпон", "Динара", "Элмира", "Жылдыз"][i % 6]) \(String(repeating: "а", count: i / 6))",
                                               in: saray, born: 1970 + i)
            members.append(try await TimeBankService(db: db).join(bank.id, personID: person.id, by: .system))
        }
        return BankFixture(bank: bank, members: members)
    }
}

@Suite("Posting rules")
struct PostingTests {
    @Test func entriesSumToZero() throws {
        let a = UUID(), b = UUID(), c = UUID()
        let plan = try Posting.plan(providers: [Leg(accountID: a, minutes: 120), Leg(accountID: b, minutes: 60)],
                                    recipients: [Leg(accountID: c, minutes: 180)])
        #expect(plan == [a: 120, b: 60, c: -180])
        #expect(plan.values.reduce(0, +) == 0)
        #expect(Posting.reversal(of: plan).values.reduce(0, +) == 0)
    }

    @Test func refusesWhatCannotBeBooked() {
        let a = UUID(), b = UUID()
        #expect(throws: DomainError("timebank.minutes-invalid", field: "minutes")) {
            try Posting.plan(providers: [Leg(accountID: a, minutes: 0)], recipients: [Leg(accountID: b, minutes: 0)])
        }
        #expect(throws: DomainError("timebank.same-member", field: "recipient")) {
            try Posting.plan(providers: [Leg(accountID: a, minutes: 60)], recipients: [Leg(accountID: a, minutes: 60)])
        }
        #expect(throws: DomainError.self) {
            try Posting.plan(providers: [Leg(accountID: a, minutes: 60)], recipients: [Leg(accountID: b, minutes: 30)])
        }
    }

    @Test("Service dates are real days, not in the future", arguments: ["2026-02-30", "2026-13-01", "26-01-01", "yesterday", "2999-01-01", ""])
    func badDates(text: String) {
        #expect(throws: DomainError.self) { try ServiceDate.validate(text) }
    }

    @Test func goodDate() throws {
        #expect(try ServiceDate.validate(" 2026-02-28 ") == "2026-02-28")
    }
}

@Suite("Ledger")
struct LedgerTests {
    @Test("Joining gives a member number, an account with the bank's limits and the welcome credit")
    func joining() async throws {
        try await TestDatabase.withDatabase { db in
            let fixture = try await BankFixture.make(db, members: 2, settings: BankSettingsDraft(welcomeCreditMinutes: 120))
            #expect(fixture.members.map(\.memberNumber) == ["0001", "0002"])
            #expect(fixture.members.allSatisfy { $0.balanceMinutes == 120 })
            let numbers = try await PeopleService(db: db).memberNumbers(of: fixture.members[0].personID)
            #expect(numbers.map(\.number) == ["0001"])
            await #expect(throws: DomainError("timebank.member.already", kind: .conflict, field: "person_id")) {
                _ = try await TimeBankService(db: db).join(fixture.bank.id, personID: fixture.members[0].personID, by: .system)
            }
            let account = try await Ledger(db: db).account(fixture.bank.id, member: fixture.members[0].id)
            #expect(account.lowerLimitMinutes == -600 && account.upperLimitMinutes == nil)
            let welcome = try await Ledger(db: db).statement(fixture.bank.id, member: fixture.members[0].id, from: nil, to: nil).lines
            #expect(welcome.count == 1 && welcome[0].withBank && welcome[0].minutes == 120 && welcome[0].note == nil)
            try await expectBooksBalance(db)
        }
    }

    @Test("An exchange moves credit; the statement shows a running balance")
    func exchange() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db)
            let ledger = Ledger(db: db)
            let (a, b, c) = (f.members[0].id, f.members[1].id, f.members[2].id)
            let first = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 90,
                                                              serviceDate: "2026-11-20", note: "жемиш", slipNumber: "S-1"), by: .system)
            #expect(first.providers == [MemberLeg(memberID: a, minutes: 90)])
            #expect(first.recipients == [MemberLeg(memberID: b, minutes: 90)])
            // Two women organise a wedding for a third: one exchange.
            _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, providers: [MemberLeg(memberID: b, minutes: 240), MemberLeg(memberID: c, minutes: 240)],
                                                      recipients: [MemberLeg(memberID: a, minutes: 480)], serviceDate: "2026-11-21"), by: .system)
            #expect(try await ledger.account(f.bank.id, member: a).balanceMinutes == 90 - 480)
            #expect(try await ledger.account(f.bank.id, member: b).balanceMinutes == -90 + 240)
            #expect(try await ledger.account(f.bank.id, member: c).balanceMinutes == 240)
            let statement = try await ledger.statement(f.bank.id, member: a, from: nil, to: nil)
            #expect(statement.lines.map(\.minutes) == [90, -480])
            #expect(statement.lines.map(\.balanceAfter) == [90, -390])
            #expect(statement.openingBalance == 0 && statement.closingBalance == -390)
            // A period that ends before anything was booked opens and closes at zero (it showed her balance
            // today); one that starts after it all, at her balance.
            let before = try await ledger.statement(f.bank.id, member: a, from: nil, to: "2001-01-31")
            #expect(before.lines.isEmpty && before.openingBalance == 0 && before.closingBalance == 0)
            let after = try await ledger.statement(f.bank.id, member: a, from: "2999-01-01", to: nil)
            #expect(after.lines.isEmpty && after.openingBalance == -390 && after.closingBalance == -390)
            await #expect(throws: DomainError("timebank.slip-already-booked", kind: .conflict, field: "slip_number", arguments: ["slip": "S-1"])) {
                _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: c, recipient: b, minutes: 30,
                                                          serviceDate: "2026-11-20", slipNumber: "S-1"), by: .system)
            }
            try await expectBooksBalance(db)
        }
    }

    @Test("A transfer past the credit limit is refused and leaves nothing; an admin's written override passes")
    func limits() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 2)
            let ledger = Ledger(db: db)
            let (a, b) = (f.members[0].id, f.members[1].id)
            _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 600, serviceDate: "2026-11-20"), by: .system)
            do {
                _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 1, serviceDate: "2026-11-20"), by: .system)
                Issue.record("a transfer past the limit was booked")
            } catch let error as DomainError {
                #expect(error.code == "timebank.over-credit-limit")
                #expect(error.arguments["number"] == "0002" && error.arguments["limit"] == "-600")
            }
            #expect(try await TimeTransfer.query(on: db).count() == 1)
            #expect(try await ledger.account(f.bank.id, member: b).balanceMinutes == -600)
            var forced = ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 30, serviceDate: "2026-11-20")
            forced.overrideReason = "Funeral: the community agreed"
            _ = try await ledger.record(forced, by: Actor(userID: UUID(), login: "admin"))
            #expect(try await ledger.account(f.bank.id, member: b).balanceMinutes == -630)
            let audit = try await AuditLog(db: db).list(entity: "timebank_transfer", page: PageQuery())
            #expect(audit.items.first?.changes.contains(FieldChange(field: "override_reason", from: nil, to: "Funeral: the community agreed")) == true)
            try await expectBooksBalance(db)
        }
    }

    @Test("A correction is a reversal pointing at the original, once; the books cannot be edited")
    func reversal() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 2)
            let ledger = Ledger(db: db)
            let (a, b) = (f.members[0].id, f.members[1].id)
            let t = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 45, serviceDate: "2026-11-20"), by: .system)
            let r = try await ledger.reverse(f.bank.id, transferID: t.id, note: "wrong member", by: .system)
            #expect(r.reversesID == t.id)
            #expect(r.providers == [MemberLeg(memberID: b, minutes: 45)])
            #expect(try await ledger.account(f.bank.id, member: a).balanceMinutes == 0)
            await #expect(throws: DomainError("timebank.transfer.already-reversed", kind: .conflict)) {
                _ = try await ledger.reverse(f.bank.id, transferID: t.id, by: .system)
            }
            await #expect(throws: DomainError("timebank.transfer.is-reversal", kind: .conflict)) {
                _ = try await ledger.reverse(f.bank.id, transferID: r.id, by: .system)
            }
            let sql = try #require(db as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE timebank_entries SET minutes = 0").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM timebank_transfers").run() }
            #expect(try await TimeEntry.query(on: db).count() == 4)
            try await expectBooksBalance(db)
        }
    }

    @Test("Concurrent transfers near the limits: nothing lost, nothing made up, no account past its limit")
    func concurrent() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 6, settings: BankSettingsDraft(lowerLimitMinutes: -120, upperLimitMinutes: 240))
            let ids = f.members.map(\.id)
            let outcomes = try await withThrowingTaskGroup(of: UUID?.self) { group in
                for i in 0..<60 {
                    let from = ids[i % ids.count], to = ids[(i * 7 + 1) % ids.count]
                    guard from != to else { continue }
                    group.addTask {
                        do {
                            return try await Ledger(db: db).record(ExchangeDraft(bankID: f.bank.id, provider: from, recipient: to,
                                                                                 minutes: 30 + (i % 4) * 30, serviceDate: "2026-11-20"), by: .system).id
                        } catch let error as DomainError where error.code.hasPrefix("timebank.over-") {
                            return nil
                        }
                    }
                }
                var booked: [UUID] = []
                for try await id in group { if let id { booked.append(id) } }
                return booked
            }
            #expect(!outcomes.isEmpty)
            #expect(try await TimeTransfer.query(on: db).filter(\.$minutes > 0).count() == outcomes.count)
            for account in try await TimeAccount.query(on: db).filter(\.$kind == .member).all() {
                #expect(account.balanceMinutes >= -120 && account.balanceMinutes <= 240)
            }
            try await expectBooksBalance(db)
        }
    }

    @Test("Batches of different members in two banks, booked side by side as app servers do, never deadlock on the totals they share")
    func batchesSideBySide() async throws {
        try await TestDatabase.withDatabase { db in
            let roomy = BankSettingsDraft(lowerLimitMinutes: -100_000, upperLimitMinutes: 100_000)  // limits are not what this is about
            let banks = [try await BankFixture.make(db, members: 16, settings: roomy), try await BankFixture.make(db, members: 16, settings: roomy)]
            let days = ["2026-09-03", "2026-09-17", "2026-10-01", "2026-10-15", "2026-10-29", "2026-11-05", "2026-11-12", "2026-11-19"]
            // Twenty rounds: with the totals written in a dictionary's order, PostgreSQL found a deadlock
            // within the first few (checked).
            for round in 0..<20 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        // Each worker its own two members in each bank, its own few of the days: the batches share
                        // only the banks' day and month totals, each held in a dictionary of its own size.
                        let requests = banks.flatMap { f in
                            (0..<(2 + (worker + round) % 5)).map { n in
                                BookingRequest(ExchangeDraft(bankID: f.bank.id, provider: f.members[2 * worker].id, recipient: f.members[2 * worker + 1].id,
                                                             minutes: 30, serviceDate: days[(worker * 3 + n * (round + 1)) % days.count]), by: .system)
                            }
                        }
                        group.addTask {
                            for result in try await Ledger(db: db).book(requests.shuffled()) { _ = try result.get() }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await expectBooksBalance(db)
        }
    }

    @Test("A statement pages: the period's total and balances, one page of lines with their running balance")
    func statementPages() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db)
            let ledger = Ledger(db: db)
            for i in 0..<25 {
                _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: f.members[0].id, recipient: f.members[1 + i % 2].id,
                                                          minutes: 10, serviceDate: "2026-11-20"), by: .system)
            }
            let page = try await ledger.statement(f.bank.id, member: f.members[0].id, from: nil, to: nil, page: PageQuery(page: 2, per: 10))
            #expect(page.total == 25 && page.lines.count == 10)
            #expect(page.openingBalance == 0 && page.closingBalance == 250)
            #expect(page.lines.first?.balanceAfter == 110 && page.lines.last?.balanceAfter == 200)
            let all = try await ledger.statement(f.bank.id, member: f.members[0].id, from: nil, to: nil)
            #expect(all.lines.count == 25 && all.total == 25)
        }
    }

    @Test("Balances at the end of any day: each member's balance after her last entry by then")
    func balancesAtADate() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db)
            let ledger = Ledger(db: db)
            _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: f.members[0].id, recipient: f.members[1].id, minutes: 45,
                                                      serviceDate: "2026-11-01"), by: .system)
            _ = try await ledger.record(ExchangeDraft(bankID: f.bank.id, provider: f.members[1].id, recipient: f.members[2].id, minutes: 15,
                                                      serviceDate: "2026-11-01"), by: .system)
            let today = ServiceDate.string(Date())
            let now = try await ledger.balances(f.bank.id, atEndOf: today)
            #expect(now == [f.members[0].id: 45, f.members[1].id: -30, f.members[2].id: -15])
            // Booked today: at the end of yesterday nobody had anything yet.
            #expect(try await ledger.balances(f.bank.id, atEndOf: ServiceDate.string(Date().addingTimeInterval(-86_400))).isEmpty)
            await #expect(throws: DomainError.self) { try await ledger.balances(f.bank.id, atEndOf: "2026-02-30") }
        }
    }
}

/// The ledger's invariants: balances sum to zero; each cached balance is the sum of its entries; each
/// transfer's entries sum to zero.
func expectBooksBalance(_ db: any Database) async throws {
    let accounts = try await TimeAccount.query(on: db).all()
    let entries = try await TimeEntry.query(on: db).all()
    #expect(accounts.reduce(0) { $0 + $1.balanceMinutes } == 0)
    let byAccount = Dictionary(grouping: entries, by: \.accountID)
    for account in accounts {
        #expect(account.balanceMinutes == (byAccount[account.id!] ?? []).reduce(0) { $0 + $1.minutes })
        #expect(account.entryCount == (byAccount[account.id!] ?? []).count)
    }
    for (_, legs) in Dictionary(grouping: entries, by: \.transferID) {
        #expect(legs.reduce(0) { $0 + $1.minutes } == 0)
    }
}

@Suite("Demo time banks")
struct DemoTimeBankTests {
    @Test("Two banks with members, a season of exchanges, and books that balance")
    func demoBanks() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            let banks = try await TimeBankService(db: db).banks(page: PageQuery())
            #expect(banks.items.map(\.name).sorted() == ["Жаңы-Жер убакыт банкы", "Сарай убакыт банкы"])
            #expect(banks.items.allSatisfy { $0.memberCount >= 30 })
            #expect(try await TimeTransfer.query(on: db).count() > 100)
            #expect(try await ServiceCategory.query(on: db).count() == 10)
            let member = try #require(try await UserService(db: db).credentials(for: "member")?.user.personID)
            #expect(try await TimeBankService(db: db).memberships(of: member).count == 1)
            #expect(try await Ledger(db: db).positions().contains { $0.minutes > 0 })
            try await expectBooksBalance(db)
        }
    }

    @Test("The reports' monthly and daily totals kept at each booking are what a rebuild from the ledger finds: reversals, welcome credits, two banks")
    func reportTotals() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            try await DemoHistory.book(300, on: db)
            let banks = try await TimeBankService(db: db).banks(page: PageQuery()).items
            let members = try await TimeBankService(db: db).members(banks[0].id, page: PageQuery(page: 1, per: 3)).items
            let other = try await TimeBankService(db: db).members(banks[1].id, page: PageQuery(page: 1, per: 1)).items[0]
            let ledger = Ledger(db: db)
            let mistake = try await ledger.record(ExchangeDraft(bankID: banks[0].id, provider: members[0].id, recipient: members[1].id, minutes: 30,
                                                                serviceDate: "2026-01-15"), by: .system)
            _ = try await ledger.reverse(banks[0].id, transferID: mistake.id, by: .system)
            // Between banks: one that stands, one reversed; on a day before the generated history, which would add to its totals.
            _ = try await ledger.record(ExchangeDraft(bankID: banks[0].id, provider: other.id, recipient: members[2].id, minutes: 45,
                                                      serviceDate: "2021-01-16"), by: .system)
            let crossed = try await ledger.record(ExchangeDraft(bankID: banks[0].id, provider: other.id, recipient: members[1].id, minutes: 20,
                                                                serviceDate: "2021-01-16"), by: .system)
            _ = try await ledger.reverse(banks[0].id, transferID: crossed.id, by: .system)
            let sql = try #require(db as? any SQLDatabase)
            func rows(_ query: SQLQueryString, _ columns: [String]) async throws -> [String] {
                try await sql.raw(query).all().map { row in
                    try columns.map { column in
                        if let id = try? row.decode(column: column, as: UUID.self) { return id.uuidString }
                        if let number = try? row.decode(column: column, as: Int.self) { return String(number) }
                        return try row.decode(column: column, as: String.self)
                    }.joined(separator: " ")
                }.sorted()
            }
            func months() async throws -> [String] {
                try await rows("SELECT * FROM timebank_month_totals WHERE earned_minutes <> 0 OR spent_minutes <> 0 OR exchanges <> 0",
                               ["bank_id", "month", "category_id", "account_id", "earned_minutes", "spent_minutes", "exchanges"])
            }
            func days() async throws -> [String] {
                try await rows("SELECT * FROM timebank_day_totals WHERE minutes <> 0 OR between_banks <> 0", ["bank_id", "day", "minutes", "between_banks"])
            }
            let keptMonths = try await months(), keptDays = try await days()
            #expect(keptMonths.count > 50)
            #expect(keptDays.count > 20)
            #expect(keptDays.contains("\(banks[1].id.uuidString) 2021-01-16 45 0"))
            #expect(keptDays.contains { $0.hasPrefix("\(banks[0].id.uuidString) 2021-01-16 ") && $0.hasSuffix(" 1") })
            try await MonthTotals.rebuild(on: sql)
            try await DayTotals.rebuild(on: sql)
            #expect(try await months() == keptMonths)
            #expect(try await days() == keptDays)
            // The network's counts by month (members, minutes, exchanges between banks) likewise.
            func counts() async throws -> [String] {
                try await rows("SELECT * FROM network_month_counts WHERE count <> 0", ["figure", "key_id", "month", "count"])
            }
            let keptCounts = try await counts()
            #expect(keptCounts.contains { $0.hasPrefix("exchanges-between-banks \(banks[0].id.uuidString) 2021-01 1") })
            try await #require(TimeBankMigrations.all.first { $0.name == "timebank.016.keep-counts" }).prepare(on: db).get()
            #expect(try await counts() == keptCounts)
        }
    }

    @Test("A network grown to district scale (ashar demo --scale district): banks in every district, their women as members, producer groups of them with dues paid, the baseline survey answered 20,000 times, exchanges that keep the books; once")
    func districtScale() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            let sql = db as! any SQLDatabase
            func count(_ query: SQLQueryString) async throws -> Int { try await sql.raw(query).first()!.decode(column: "n", as: Int.self) }
            let reachedBefore = try await count("SELECT COUNT(*) AS n FROM network_reach")
            let groupsBefore = try await count("SELECT COUNT(*) AS n FROM producer_groups")
            let answersBefore = try await count("SELECT COUNT(*) AS n FROM needs_submissions")
            let duesBefore = try await count("SELECT COUNT(*) AS n FROM producer_fund_entries WHERE kind = 'dues'")
            // Members of a producer group who live in its village and belong to a time bank there.
            let villageMembers: SQLQueryString = """
                SELECT COUNT(*) AS n FROM producer_members m JOIN people p ON p.id = m.person_id
                JOIN organisations g ON g.id = m.group_id JOIN timebank_members t ON t.person_id = p.id
                JOIN organisations b ON b.id = t.bank_id
                WHERE g.village_id = p.village_id AND b.village_id = p.village_id
                """
            let villageMembersBefore = try await count(villageMembers)
            #expect(try await DemoScale.grow(.district, transfers: 3_000, on: db))
            let banks = try await TimeBankService(db: db).banks(page: PageQuery(page: 1, per: 100)).items
            #expect(banks.count == 2 + 4)
            let grown = banks.filter { $0.name.contains("(") }
            #expect(grown.count == 4 && grown.allSatisfy { $0.memberCount == 1_000 })
            #expect(Set(try await OrganisationService(db: db).lookup(grown.map(\.id)).values.map(\.districtID)).count == 4)
            // Every new woman is one the network reached, counted where she lives.
            #expect(try await count("SELECT COUNT(*) AS n FROM network_reach WHERE district_id IS NOT NULL") == reachedBefore + 4_000)
            // And the dashboard's kept count of them agrees.
            #expect(try await count("SELECT CAST(SUM(count) AS BIGINT) AS n FROM network_month_counts WHERE figure = 'women-reached'")
                    == count("SELECT COUNT(*) AS n FROM network_reach WHERE district_id IS NOT NULL"))
            // Forty groups of ten of those women, each in her bank's village, each member's dues in the risk fund.
            #expect(try await count("SELECT COUNT(*) AS n FROM producer_groups") == groupsBefore + 40)
            #expect(try await count(villageMembers) == villageMembersBefore + 400)
            #expect(try await count("SELECT COUNT(*) AS n FROM producer_fund_entries WHERE kind = 'dues'") == duesBefore + 400)
            #expect(try await count("SELECT COUNT(*) AS n FROM needs_submissions") == answersBefore + 20_000)
            #expect(try await TimeTransfer.query(on: db).filter(\.$purpose == nil).count() >= 3_000)
            #expect(try await AuditEntry.query(on: db).filter(\.$action == "generate").count() == 4)
            try await expectBooksBalance(db)
            #expect(try await DemoScale.grow(.district, transfers: 10, on: db) == false)
        }
    }

    @Test("A long history in bulk (ashar seed): as many exchanges as asked, in batches, and books that still balance")
    func history() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            let before = try await TimeTransfer.query(on: db).count()
            #expect(try await DemoHistory.book(2_500, on: db) == 2_500)
            #expect(try await TimeTransfer.query(on: db).count() == before + 2_500)
            try await expectBooksBalance(db)
        }
    }
}

@Suite("Between banks")
struct ClearingTests {
    @Test("An exchange across two banks books through clearing accounts; each bank's books sum to zero; the position has a limit")
    func acrossBanks() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village(named: "Сарай")
            let papan = try await make.village(named: "Папан")
            let banks = TimeBankService(db: db)
            let a = try await banks.open(try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray).id, by: .system)
            let b = try await banks.open(try await make.organisation("Папан убакыт банкы", kind: .timeBank, in: papan).id,
                                         settings: BankSettingsDraft(clearingLimitMinutes: 100), by: .system)
            let inA = try await banks.join(a.id, personID: try await make.person("Асанова Гүлнара", in: saray).id, by: .system)
            let inB = try await banks.join(b.id, personID: try await make.person("Исакова Айжан", in: papan).id, by: .system)
            let ledger = Ledger(db: db)
            // Recorded by bank A: its member received an hour from a member of bank B.
            let t = try await ledger.record(ExchangeDraft(bankID: a.id, provider: inB.id, recipient: inA.id, minutes: 60,
                                                          serviceDate: "2026-11-20"), by: .system)
            #expect(try await ledger.account(b.id, member: inB.id).balanceMinutes == 60)
            #expect(try await ledger.account(a.id, member: inA.id).balanceMinutes == -60)
            for bank in [a.id, b.id] {
                let books = try await TimeAccount.query(on: db).filter(\.$bankID == bank).all()
                #expect(books.reduce(0) { $0 + $1.balanceMinutes } == 0, "bank \(bank) books")
            }
            let positions = try await ledger.positions()
            #expect(positions.contains { $0.bankID == a.id && $0.counterpartID == b.id && $0.minutes == 60 })
            #expect(positions.contains { $0.bankID == b.id && $0.counterpartID == a.id && $0.minutes == -60 })
            // Bank B lets its position with any bank go 100 minutes either way.
            await #expect(throws: DomainError.self) {
                _ = try await ledger.record(ExchangeDraft(bankID: a.id, provider: inB.id, recipient: inA.id, minutes: 60,
                                                          serviceDate: "2026-11-20"), by: .system)
            }
            // Neither side in the recording bank: refused.
            await #expect(throws: DomainError("timebank.no-member-of-this-bank", field: "provider")) {
                _ = try await ledger.record(ExchangeDraft(bankID: a.id, provider: inB.id, recipient: inB.id, minutes: 10,
                                                          serviceDate: "2026-11-20"), by: .system)
            }
            _ = try await ledger.reverse(a.id, transferID: t.id, by: .system)
            #expect(try await ledger.positions().allSatisfy { $0.minutes == 0 })
            try await expectBooksBalance(db)
        }
    }
}

@Suite("Board")
struct BoardTests {
    @Test("Offers that answer a request: same kind of service, nearest village first; closed ones gone")
    func matches() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village(named: "Сарай")
            let district = try #require(saray.districtID)
            let aimak = try #require(saray.parentID)
            let geo = GeographyService(db: db)
            let sameAimak = try await geo.create(PlaceDraft(level: .village, parentID: aimak, name: LocalizedName(ky: "Көк-Жар", ru: "Кок-Жар", en: "Kok-Jar")), by: .system)
            let otherAimak = try await geo.create(PlaceDraft(level: .aiylAimak, parentID: district, name: LocalizedName(ky: "Папан а/а", ru: "Папан а/а", en: "Papan a/a")), by: .system)
            let sameDistrict = try await geo.create(PlaceDraft(level: .village, parentID: otherAimak.id, name: LocalizedName(ky: "Папан", ru: "Папан", en: "Papan")), by: .system)
            let org = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray)
            let bank = try await TimeBankService(db: db).open(org.id, by: .system)
            var members: [MemberRecord] = []
            for (i, village) in [saray, sameDistrict, sameAimak, saray].enumerated() {
                let person = try await make.person("Мүчө \(["Айгүл", "Бурул", "Чолпон", "Динара"][i])", in: village)
                members.append(try await TimeBankService(db: db).join(bank.id, personID: person.id, by: .system))
            }
            let weddings = try #require(try await CategoryService(db: db).available(to: nil).first { $0.code == "weddings" })
            let harvest = try #require(try await CategoryService(db: db).available(to: nil).first { $0.code == "harvest" })
            let board = BoardService(db: db)
            let far = try await board.post(bank.id, ListingDraft(memberID: members[1].id, kind: .offer, categoryID: weddings.id, description: "Той уюштурам"), by: .system)
            let near = try await board.post(bank.id, ListingDraft(memberID: members[2].id, kind: .offer, categoryID: weddings.id, description: "Тамак жасайм"), by: .system)
            let here = try await board.post(bank.id, ListingDraft(memberID: members[3].id, kind: .offer, categoryID: weddings.id, description: "Дасторкон"), by: .system)
            _ = try await board.post(bank.id, ListingDraft(memberID: members[3].id, kind: .offer, categoryID: harvest.id, description: "Түшүм"), by: .system)
            let request = try await board.post(bank.id, ListingDraft(memberID: members[0].id, kind: .request, categoryID: weddings.id,
                                                                     description: "Кызымдын тоюна жардам керек"), by: .system)
            #expect(try await board.matches(for: request.id, in: bank.id).map(\.id) == [here.id, near.id, far.id])
            try await board.close(here.id, in: bank.id, by: .system)
            #expect(try await board.matches(for: request.id, in: bank.id).map(\.id) == [near.id, far.id])
            let found = try await board.search(bank.id, kind: .offer, categoryID: nil, villageID: nil, text: "tamak", page: PageQuery())
            #expect(found.items.map(\.id) == [near.id])
            await #expect(throws: DomainError("timebank.listing.description-invalid", field: "description")) {
                _ = try await board.post(bank.id, ListingDraft(memberID: members[0].id, kind: .offer, categoryID: nil, description: "  "), by: .system)
            }
        }
    }
}

@Suite("Booking in batches (group commit)")
struct BatchBookingTests {
    @Test("A batch books in order, each transfer seeing the ones before; a refused one leaves no trace, the rest are booked")
    func batchInOrder() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 3)
            let (a, b, c) = (f.members[0].id, f.members[1].id, f.members[2].id)
            func exchange(_ from: UUID, _ to: UUID, _ minutes: Int, slip: String? = nil) -> ExchangeDraft {
                ExchangeDraft(bankID: f.bank.id, provider: from, recipient: to, minutes: minutes, serviceDate: "2026-11-20", slipNumber: slip)
            }
            let key = IdempotencyKey(userID: UUID(), key: "office-7", requestHash: "h")
            let answer: BookingRequest.Answer = { outcome in
                guard case .success(let record) = outcome else { return nil }
                return IdempotencyReceipt(key: key, status: 201, contentType: "application/json", body: "{\"id\":\"\(record.id)\"}")
            }
            let results = try await Ledger(db: db).book([
                BookingRequest(exchange(a, b, 500), by: .system),
                BookingRequest(exchange(a, b, 200), by: .system),                    // b would reach -700: past -600
                BookingRequest(exchange(c, a, 100, slip: "S-1"), by: .system),
                BookingRequest(exchange(c, b, 50, slip: "S-1"), by: .system),        // the same slip, a second time
                BookingRequest(exchange(b, c, 30), by: .system, idempotency: key, answer: answer),
                BookingRequest(exchange(b, c, 30), by: .system, idempotency: key, answer: answer),   // the same request, resent
                BookingRequest(exchange(a, UUID(), 10), by: .system),                // nobody
                BookingRequest(exchange(c, a, 10).with(date: "2999-01-01"), by: .system),
            ])
            func code(_ r: Result<TransferRecord, any Error>) -> String? {
                if case .failure(let error as DomainError) = r { return error.code }
                if case .failure(is IdempotencyKeyAnswered) = r { return "answered" }
                return nil
            }
            #expect(results.map(code) == [nil, "timebank.over-credit-limit", nil, "timebank.slip-already-booked", nil,
                                          "api.idempotency-key-in-flight", "timebank.member.not-found", "timebank.service-date-in-future"])
            let ledger = Ledger(db: db)
            #expect(try await ledger.account(f.bank.id, member: a).balanceMinutes == 500 - 100)
            #expect(try await ledger.account(f.bank.id, member: b).balanceMinutes == -500 + 30)
            #expect(try await TimeTransfer.query(on: db).filter(\.$purpose == nil).count() == 3)
            // The second batch sees the first's slip and key.
            let again = try await ledger.book([BookingRequest(exchange(c, a, 5, slip: "S-1"), by: .system),
                                               BookingRequest(exchange(b, c, 30), by: .system, idempotency: key, answer: answer)])
            #expect(again.map(code) == ["timebank.slip-already-booked", "answered"])
            try await expectBooksBalance(db)
        }
    }

    @Test("A refusal's answer is kept in the batch that refused it, and the key then answers a replay; a copy in the same batch is told the key is in flight")
    func refusalKept() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 2)
            let (a, b) = (f.members[0].id, f.members[1].id)
            let key = IdempotencyKey(userID: UUID(), key: "office-9", requestHash: "h")
            let answer: BookingRequest.Answer = { outcome in
                switch outcome {
                case .success: IdempotencyReceipt(key: key, status: 201, contentType: "application/json", body: "{}")
                case .failure(let error): IdempotencyReceipt(key: key, status: 422, contentType: "application/json",
                                                             body: (error as? DomainError)?.code ?? "?")
                }
            }
            let over = ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 601, serviceDate: "2026-11-20")
            let results = try await Ledger(db: db).book([BookingRequest(over, by: .system, idempotency: key, answer: answer),
                                                         BookingRequest(over, by: .system, idempotency: key, answer: answer)])
            guard case .failure(let kept as RefusalKept) = results[0] else { Issue.record("not kept: \(results[0])"); return }
            #expect((kept.refusal as? DomainError)?.code == "timebank.over-credit-limit")
            guard case .failure(let copy as DomainError) = results[1] else { Issue.record("\(results[1])"); return }
            #expect(copy.code == "api.idempotency-key-in-flight")
            let stored = try #require(try await IdempotencyReceipt.find(userID: key.userID, key: key.key, on: db as! any SQLDatabase))
            #expect(stored.status == 422 && stored.body == "timebank.over-credit-limit")

            // Resent later: the kept answer stands, even though the transfer would now fit.
            let fits = ExchangeDraft(bankID: f.bank.id, provider: a, recipient: b, minutes: 60, serviceDate: "2026-11-20")
            let again = try await Ledger(db: db).book([BookingRequest(fits, by: .system, idempotency: key, answer: answer)])
            guard case .failure(is IdempotencyKeyAnswered) = again[0] else { Issue.record("\(again[0])"); return }
            #expect(try await TimeTransfer.query(on: db).filter(\.$purpose == nil).count() == 0)
        }
    }

    @Test("Transfers sent at once through the queue are all booked, each answered with its own transfer")
    func queue() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await BankFixture.make(db, members: 4)
            let queue = BookingQueue()
            let ids = f.members.map(\.id)
            let booked = try await withThrowingTaskGroup(of: TransferRecord.self) { group in
                for i in 0..<40 {
                    let draft = ExchangeDraft(bankID: f.bank.id, provider: ids[i % 4], recipient: ids[(i + 1) % 4], minutes: 5 + i,
                                              serviceDate: "2026-11-20")
                    group.addTask { try await queue.book(BookingRequest(draft, by: .system), on: db) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(booked.map(\.id)).count == 40)
            #expect(Set(booked.map(\.minutes)) == Set(5..<45))
            #expect(try await TimeTransfer.query(on: db).filter(\.$purpose == nil).count() == 40)
            try await expectBooksBalance(db)
        }
    }
}

extension ExchangeDraft {
    func with(date: String) -> ExchangeDraft {
        var draft = self
        draft.serviceDate = date
        return draft
    }
}
