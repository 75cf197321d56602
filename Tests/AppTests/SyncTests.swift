@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import SQLKit
import Testing
import TestSupport
import TimeBank
import Vapor
import VaporTesting

/// An office server on its own SQLite file and the centre (the tests' database: SQLite, or PostgreSQL in
/// CI) on a loopback port, syncing over HTTP as they would across the country (docs/sync.md).
@Suite("Office and centre")
struct SyncTests {
    @Test("Cut off, the office registers and books; when the line returns, a lost answer books nothing twice, a limit passed at the centre meanwhile comes back refused and is undone at the office, and both hold the same balances")
    func officeAndCentre() async throws {
        try await withAshar { centre, fixture in
            let bank = fixture.bank.id
            _ = try await TimeBankService(db: centre.db).open(bank, settings: .init(lowerLimitMinutes: -60, welcomeCreditMinutes: 30), by: .system)
            let members = TimeBankService(db: centre.db)
            let gulnara = try await members.join(bank, personID: fixture.member.id, by: .system)
            let aigul = try await members.join(bank, personID: try await Factories(db: centre.db).person("Бакирова Айгүл", in: fixture.village, born: 1975).id,
                                               by: .system)
            _ = try await Ledger(db: centre.db).record(ExchangeDraft(bankID: bank, provider: gulnara.id, recipient: aigul.id, minutes: 20,
                                                                     serviceDate: "2026-11-01", slipNumber: "C-1"), by: .system)
            try await centre.server.start(address: .hostname("127.0.0.1", port: 0))
            do {
                let port = try #require(centre.http.server.shared.localAddress?.port)
                let token = try await APIClient.forUser("coordinator", on: centre).token!
                try await DurabilityTests.withFileApp { office in
                    office.http.client.configuration.timeout = .init(connect: .seconds(1))  // a cut line is found out quickly
                    var line = OfficeSync(db: office.db, client: office.client, centre: "http://127.0.0.1:\(port)", token: token)
                    line.pageSize = 2  // every feed read over several pages
                    let setUp = try await line.setUp(homeOf: [bank])
                    #expect(setUp.pulled == 2 + 3)  // two members; two welcome credits and one exchange
                    #expect(try await Self.balances(office) == Self.balances(centre))
                    #expect(try await Self.balances(office)[gulnara.id] == 50)

                    // The line is cut. The office registers a woman (her welcome credit with her) and books two slips.
                    var cut = line
                    cut.centre = "http://127.0.0.1:1"
                    let officeMembers = TimeBankService(db: office.db)
                    let person = try await PeopleService(db: office.db).create(
                        PersonDraft(fullName: "Токтосунова Чолпон", sex: .female, birthYear: 1990, villageID: fixture.village.id), by: .system)
                    let cholpon = try await officeMembers.join(bank, personID: person.id, by: .system)
                    let kept = try await Ledger(db: office.db).record(ExchangeDraft(bankID: bank, provider: cholpon.id, recipient: gulnara.id,
                                                                                    minutes: 15, serviceDate: "2026-11-20", slipNumber: "O-1"), by: .system)
                    let refused = try await Ledger(db: office.db).record(ExchangeDraft(bankID: bank, provider: cholpon.id, recipient: aigul.id,
                                                                                       minutes: 25, serviceDate: "2026-11-21", slipNumber: "O-2"), by: .system)
                    await #expect(throws: (any Error).self) { try await cut.run() }
                    #expect(try await TimeBankSync(db: office.db).waiting() == 4)  // her membership, her welcome credit, two slips

                    // Meanwhile at the centre Aigul receives an hour: 10 − 60 = −50, and 25 more would pass −60 there.
                    _ = try await Ledger(db: centre.db).record(ExchangeDraft(bankID: bank, provider: gulnara.id, recipient: aigul.id, minutes: 60,
                                                                             serviceDate: "2026-11-22"), by: .system)

                    // The line returns and the first answer is lost: the centre took the office's rows, the office never heard.
                    let officeSide = TimeBankSync(db: office.db), centreSide = TimeBankSync(db: centre.db)
                    _ = try await centreSide.receive(try await officeSide.unsentMembers(limit: 100), banks: [bank], by: .system)
                    _ = try await centreSide.receive(try await officeSide.unsentTransfers(limit: 100), banks: [bank], limits: true)
                    let round = try await line.run()
                    #expect(round.sent == 3 && round.refused == 1)
                    #expect(round.pulled == 1)  // the centre's hour for Aigul

                    // Each of the office's rows is at the centre once; the refused one is not there at all.
                    let atCentre = Set(try await TimeTransfer.query(on: centre.db).all().compactMap(\.id))
                    #expect(atCentre.contains(kept.id) && !atCentre.contains(refused.id))
                    #expect(try await TimeTransfer.query(on: centre.db).filter(\.$slipNumber == "O-1").count() == 1)
                    #expect(try await TimeBankMember.find(cholpon.id, on: centre.db)?.memberNumber == cholpon.memberNumber)

                    // At the office the refused slip is undone by a reversal pointing at it, and listed with the centre's reason.
                    let listed = try await officeSide.refused()
                    #expect(listed.map(\.id) == [refused.id])
                    #expect(listed.first?.refusal?.code == "timebank.over-credit-limit")
                    #expect(try await TimeTransfer.query(on: office.db).filter(\.$reversesID == refused.id).count() == 1)

                    // The same balances on both sides, and the books hold on both.
                    #expect(try await Self.balances(office) == Self.balances(centre))
                    #expect(try await Self.balances(office)[aigul.id] == -50)
                    try await Self.expectBooksHold(office)
                    try await Self.expectBooksHold(centre)

                    // Nothing left to send or take: a second round moves nothing.
                    #expect(try await officeSide.waiting() == 0)
                    #expect(try await line.run() == OfficeSync.Round())

                    // Office staff see the refused slip with the centre's reason, in their language; the centre's own page says it is the record.
                    let hash: @Sendable (String) throws -> String = { [password = office.password] in try password.hash($0) }
                    _ = try await Factories(db: office.db).user("office", name: "Осмонова Бурул", password: Fixture.password, hash: hash,
                                                                grants: [Grant(role: .coordinator, organisationID: bank)])
                    let staff = Browser(office, acceptLanguage: "ru")
                    _ = try await staff.login("office")
                    let page = try await staff.get("/timebanks/\(bank)/sync").body.string
                    #expect(page.contains("Квитанция O-2, 2026-11-21") && page.contains("Токтосунова Чолпон"))
                    #expect(page.contains("ушёл бы ниже лимита -60 мин"), "the centre's reason, in Russian")
                    #expect(try await staff.get("/timebanks/\(bank)").body.string.contains("/timebanks/\(bank)/sync"))
                    let atCentrePage = Browser(centre, acceptLanguage: "en")
                    _ = try await atCentrePage.login("coordinator")
                    #expect(try await atCentrePage.get("/timebanks/\(bank)/sync").body.string.contains("record for this bank"))
                }
            } catch {
                Issue.record(error)
            }
            await centre.server.shutdown()
        }
    }

    /// Found by schemathesis: an admin (who may write for any bank) pushing a transfer that names a bank
    /// this server does not have got a 500 — the bank's own account was opened for it and the foreign key
    /// refused the whole batch.
    @Test("A pushed transfer naming a bank this server does not have, or an account in a shape the network never opens, is refused on its own row")
    func unknownBanks() async throws {
        try await withAshar { app, fixture in
            let bank = fixture.bank.id
            _ = try await TimeBankService(db: app.db).open(bank, by: .system)
            let accountsBefore = try await TimeAccount.query(on: app.db).count()
            let ghost = UUID()
            func transfer(bank: UUID, _ entries: [(account: String, minutes: Int)]) -> String {
                #"{"id":"\#(UUID())","bankId":"\#(bank)","minutes":30,"serviceDate":"2026-11-01","recordedByLogin":"office","entries":["#
                    + entries.map { #"{"account":\#($0.account),"minutes":\#($0.minutes)}"# }.joined(separator: ",") + "]}"
            }
            let body = #"{"items":["# + [
                transfer(bank: ghost, [(#"{"id":"\#(UUID())","bankId":"\#(ghost)","kind":"bank"}"#, 30),
                                       (#"{"id":"\#(UUID())","bankId":"\#(bank)","kind":"clearing","counterpartBankId":"\#(ghost)"}"#, -30)]),
                transfer(bank: bank, [(#"{"id":"\#(UUID())","bankId":"\#(bank)","kind":"bank","memberId":"\#(UUID())"}"#, 30),
                                      (#"{"id":"\#(UUID())","bankId":"\#(bank)","kind":"clearing","counterpartBankId":"\#(bank)"}"#, -30)]),
            ].joined(separator: ",") + "]}"
            let admin = try await APIClient.forUser("admin", on: app)
            let response = try await admin.send(.POST, "/sync/timebank/transfers", json: body)
            #expect(response.status == .ok)
            let items = try #require(try admin.json(response)["items"] as? [[String: Any]])
            #expect(items.map { $0["outcome"] as? String } == ["refused", "refused"])
            #expect(items.map { ($0["error"] as? [String: Any])?["code"] as? String } == ["timebank.bank.not-found", "timebank.member.not-found"])
            #expect(try await TimeAccount.query(on: app.db).count() == accountsBefore, "no account was opened")
        }
    }

    @Test("The centre's sync API: only for the banks the token's user runs; a malformed row or cursor is a clear 422")
    func syncAccess() async throws {
        try await withAshar { app, fixture in
            let bank = fixture.bank.id
            _ = try await TimeBankService(db: app.db).open(bank, by: .system)
            let viewer = try await APIClient.forUser("viewer", on: app)
            #expect(try await viewer.send(.GET, "/sync/timebank/transfers?bank=\(bank)").status == .forbidden)
            let coordinator = try await APIClient.forUser("coordinator", on: app)
            #expect(try await coordinator.send(.GET, "/sync/timebank/transfers?bank=\(bank)&after=nonsense").status == .unprocessableEntity)
            let page = try await coordinator.send(.GET, "/sync/timebank/members?bank=\(bank)")
            #expect(page.status == .ok)

            // A server with members of its own is never made an office: they would all be sent as new.
            _ = try await TimeBankService(db: app.db).join(bank, personID: fixture.member.id, by: .system)
            let sync = TimeBankSync(db: app.db)
            await #expect(throws: DomainError("timebank.sync.not-empty", kind: .conflict)) {
                try await sync.setUp(homeOf: [bank], from: try await sync.reference())
            }
            #expect(try await sync.homeBanks().isEmpty)

            // Rows for a bank she does not run are refused one by one, and leave no trace; a request with
            // nothing but such rows is refused whole.
            let other = try await Factories(db: app.db).organisation("Ош убакыт банкы", kind: .timeBank, in: fixture.village)
            _ = try await TimeBankService(db: app.db).open(other.id, by: .system)
            func row(_ member: UUID, bank: UUID, number: String, name: String) -> String {
                """
                {"id":"\(member)","bankId":"\(bank)","memberNumber":"\(number)","joinedOn":"2026-11-02","personId":"\(UUID())",
                "person":{"fullName":"\(name)","sex":"female","birthYear":1980,"villageId":"\(fixture.village.id)"},
                "account":{"id":"\(UUID())","bankId":"\(bank)","kind":"member","memberId":"\(member)","lowerLimitMinutes":-600}}
                """
            }
            let mine = UUID(), theirs = UUID()
            let answer = try coordinator.json(try await coordinator.send(.POST, "/sync/timebank/members", json: """
                {"items":[\(row(mine, bank: bank, number: "9001", name: "Асанова Бурул")),\(row(theirs, bank: other.id, number: "9002", name: "Осмонова Гүл"))]}
                """))
            let items = try #require(answer["items"] as? [[String: Any]])
            #expect(items.map { $0["outcome"] as? String } == ["written", "refused"])
            #expect((items.last?["error"] as? [String: Any])?["code"] as? String == "timebank.sync.not-your-bank")
            #expect(try await TimeBankMember.find(mine, on: app.db) != nil)
            #expect(try await TimeBankMember.find(theirs, on: app.db) == nil)
            let onlyTheirs = UUID()
            let refused = try await coordinator.send(.POST, "/sync/timebank/members", json: #"{"items":[\#(row(onlyTheirs, bank: other.id, number: "9003", name: "Токтогулова Айжан"))]}"#)
            #expect(refused.status == .forbidden)
            #expect(try await TimeBankMember.find(onlyTheirs, on: app.db) == nil)
            let malformed = try await coordinator.send(.POST, "/sync/timebank/transfers", json: #"{"items":[{"id":"x","bankId":"y","minutes":1,"serviceDate":"2026-11-01","recordedByLogin":"a","entries":[]}]}"#)
            #expect(malformed.status == .unprocessableEntity)
        }
    }

    /// Every member account's balance, by member.
    static func balances(_ app: Application) async throws -> [UUID: Int] {
        Dictionary(uniqueKeysWithValues: try await TimeAccount.query(on: app.db).filter(\.$kind == .member).all().map { ($0.memberID!, $0.balanceMinutes) })
    }

    /// Each transfer's entries sum to zero; each balance is the sum of its account's entries.
    static func expectBooksHold(_ app: Application) async throws {
        let entries = try await TimeEntry.query(on: app.db).all()
        for (_, some) in Dictionary(grouping: entries, by: \.transferID) { #expect(some.reduce(0) { $0 + $1.minutes } == 0) }
        let byAccount = Dictionary(grouping: entries, by: \.accountID)
        for account in try await TimeAccount.query(on: app.db).all() {
            #expect(account.balanceMinutes == (byAccount[account.id!] ?? []).reduce(0) { $0 + $1.minutes })
        }
    }
}
