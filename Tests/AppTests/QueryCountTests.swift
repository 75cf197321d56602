@testable import App
@testable import AsharNetwork
import DemoData
import Fluent
import FluentSQLiteDriver
import Foundation
import Kernel
import Logging
import NIOConcurrencyHelpers
import Producers
import Testing
import TestSupport
import TimeBank
import Vapor
import VaporTesting

/// No page or endpoint runs a query per row: each is asked on a small network and again after it has
/// grown (more people, members, exchanges, a group's members), and must log as many statements. Counted
/// on SQLite from the lines logged with the request's id: Fluent's for each of its queries ("Running
/// query") and SQLiteKit's for each statement it runs on the request's connection ("Executing query").
/// A Fluent query outside a transaction is seen twice, SQL written out once; inside a write transaction
/// only Fluent's queries are seen — the transaction's connection logs without the request's id.
@Suite("Queries per request")
struct QueryCountTests {
    /// Counts the lines Fluent and SQLiteKit log for statements of the request being counted: those logged
    /// with its request id, not those of work running beside it.
    struct StatementCounter: LogHandler {
        final class Tally: Sendable {
            private let state = NIOLockedValueBox((request: "", statements: 0))
            func count(for request: String) { state.withLockedValue { $0 = (request, 0) } }
            func add(_ request: String) { state.withLockedValue { if $0.request == request { $0.statements += 1 } } }
            var statements: Int { state.withLockedValue { $0.statements } }
        }

        let tally: Tally
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.level == .debug, ["Running query", "Executing query"].contains(event.message.description),
                  case .string(let request)? = event.metadata?["request-id"] ?? metadata["request-id"] else { return }
            tally.add(request)
        }
    }

    @Test("The main pages and endpoints, settling a round and distributing a pooled sale's money run as many statements for 61 members, 60 exchanges and 5 banks as for 13, 12 and 2")
    func flat() async throws {
        let tally = StatementCounter.Tally()
        try await withApp(configure: { app in
            try await configure(app, database: .sqliteMemory)
            app.databases.use(.sqlite(.memory, sqlLogLevel: .debug), as: .sqlite)
        }) { app in
            try await migrate(app)
            let fixture = try await seed(app)
            let bank = fixture.bank.id
            _ = try await TimeBankService(db: app.db).open(bank, settings: .init(welcomeCreditMinutes: 60), by: .system)
            let groupOrg = try await Factories(db: app.db).organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let group = try await ProducerGroupService(db: app.db).open(groupOrg.id, by: .system)
            let first = try await TimeBankService(db: app.db).join(bank, personID: fixture.member.id, by: .system)
            try await Self.grow(app, fixture, bank: bank, group: group.id, first: first.id, from: 0, to: 12)

            let admin = Browser(app)
            _ = try await admin.login("admin")
            let api = try await APIClient.forUser("admin", on: app)
            app.logger = Logger(label: "statements") { _ in StatementCounter(tally: tally) }
            let paths = [
                "/people", "/organisations", "/dashboard", "/timebanks", "/producer-groups", "/forms", "/stakeholders", "/products",
                "/trainings", "/services", "/directory", "/geography", "/users", "/audit", "/timebanks/\(bank)", "/timebanks/\(bank)/register",
                "/timebanks/\(bank)/members/\(first.id)", "/timebanks/\(bank)/board", "/timebanks/\(bank)/reports",
                "/timebanks/\(bank)/slips", "/producer-groups/\(group.id)",
            ]
            let endpoints = ["/people", "/timebanks/\(bank)/members", "/timebanks/\(bank)/accounts/\(first.id)/statement",
                             "/sync/timebank/transfers?bank=\(bank)", "/sync/timebank/members?bank=\(bank)"]
            var asked = 0
            /// The statements run for one request, sent with a request id of its own. The API caller's
            /// user is forgotten first (kept five seconds, and forgotten by any test's user write): her
            /// token's lookup is counted every time, not only when another test happened to write.
            func counted(_ what: String, _ send: ([(String, String)]) async throws -> TestingHTTPResponse) async throws -> Int {
                asked += 1
                let request = "counted-\(asked)"
                tally.count(for: request)
                TokenUsers.shared.forgetAll()
                let response = try await send([("X-Request-Id", request)])
                #expect(response.status == .ok, "\(what)")
                return tally.statements
            }
            func count() async throws -> [String: Int] {
                var found: [String: Int] = [:]
                for path in paths {
                    found[path] = try await counted(path) { try await admin.send(.GET, path, bytes: nil, headers: $0) }
                }
                for path in endpoints {
                    found["/api/v1" + path] = try await counted(path) { try await api.send(.GET, path, headers: $0) }
                }
                // A write: settling a round puts a bill on every member's account.
                let round = try await Self.closedRound(app, group: group.id)
                found["POST /api/v1/rounds/{round}/settle"] = try await counted("settle") {
                    try await api.send(.POST, "/rounds/\(round)/settle", headers: $0)
                }
                // And a pooled sale's distribution: a payout to every member, cash to those who owe nothing.
                let pool = try await Self.paidPool(app, group: group.id)
                found["POST /api/v1/pools/{pool}/distribution"] = try await counted("distribution") {
                    try await api.send(.POST, "/pools/\(pool)/distribution", headers: $0)
                }
                return found
            }
            try await Self.openOthers(app, fixture, from: 0, to: 1)
            let small = try await count()
            try await Self.grow(app, fixture, bank: bank, group: group.id, first: first.id, from: 12, to: 60)
            try await Self.openOthers(app, fixture, from: 1, to: 4)
            let large = try await count()
            for (path, statements) in small.sorted(by: { $0.key < $1.key }) {
                #expect(large[path] == statements, "\(path): \(statements) statements for a small network, \(large[path] ?? -1) for a larger one")
                #expect(statements > 0, "\(path) counted nothing: is the driver still logging?")
            }
        }
    }

    /// A round of the group, closed, with an order from each of its members.
    static func closedRound(_ app: Application, group: UUID) async throws -> UUID {
        let rounds = PurchaseRoundService(db: app.db)
        let round = try await rounds.create(group, supplierID: nil, deadline: Date().addingTimeInterval(86_400), allocation: .firstCome, by: .system)
        let article = try await rounds.addArticle(round.id, ArticleDraft(name: "Seed potatoes", unit: "kg", packageSize: 1,
                                                                         tiers: [PriceTier(minQuantity: 1, unitPrice: 3_000)]), by: .system)
        for member in try await ProducerGroupService(db: app.db).members(group, page: PageQuery(per: 200)).items {
            _ = try await rounds.setOrder(round.id, member: member.id, lines: [OrderLineDraft(articleID: article.id, quantity: 5)], by: .system)
        }
        _ = try await rounds.close(round.id, by: .system)
        return round.id
    }

    /// A pooled sale of the group with a delivery from each of its members, partly paid for.
    static func paidPool(_ app: Application, group: UUID) async throws -> UUID {
        let pools = SalePoolService(db: app.db)
        let pool = try await pools.create(group, PoolDraft(product: "Dried apricots", buyer: "Osh Dried Fruit", gradePrices: ["A": 20_000],
                                                           levyBasisPoints: 500, rejects: .member), by: .system)
        for member in try await ProducerGroupService(db: app.db).members(group, page: PageQuery(per: 200)).items {
            _ = try await pools.intake(pool.id, member: member.id, quantity: 10, grade: "A", by: .system)
        }
        try await pools.record(pool.id, payment: true, amount: 1_000_000, by: .system)
        return pool.id
    }

    /// Banks and producer groups `from..<to` besides the fixture's, each bank with a member offering a
    /// service on its board: lists of the network's organisations (the directory, the dashboard) must not
    /// run a query per bank or group.
    static func openOthers(_ app: Application, _ fixture: Fixture, from: Int, to: Int) async throws {
        let make = Factories(db: app.db)
        let category = try #require(try await CategoryService(db: app.db).available(to: nil).first)
        for i in from..<to {
            let bank = try await make.organisation("Банк \(i)", kind: .timeBank, in: fixture.village)
            _ = try await TimeBankService(db: app.db).open(bank.id, settings: .init(), by: .system)
            let person = try await make.person("Сунуш \(String(repeating: "б", count: i + 1))", in: fixture.village)
            let member = try await TimeBankService(db: app.db).join(bank.id, personID: person.id, by: .system)
            _ = try await BoardService(db: app.db).post(bank.id, ListingDraft(memberID: member.id, kind: .offer, categoryID: category.id,
                                                                             description: "нан бышыруу"), by: .system)
            let group = try await make.organisation("Топ \(i)", kind: .producerGroup, in: fixture.village)
            _ = try await ProducerGroupService(db: app.db).open(group.id, by: .system)
        }
    }

    /// People `from..<to`, each a member of the bank (with her welcome credit) and of the group, who received
    /// an exchange from the first member. The first of them far below zero and the first member far above:
    /// the reports' lists of members far from zero are not empty at either size.
    static func grow(_ app: Application, _ fixture: Fixture, bank: UUID, group: UUID, first: UUID, from: Int, to: Int) async throws {
        let make = Factories(db: app.db)
        for i in from..<to {
            let person = try await make.person("Мүчө \(["Айгүл", "Бурул", "Чолпон", "Динара"][i % 4]) \(String(repeating: "а", count: i + 1))",
                                               in: fixture.village, born: 1960 + i % 40)
            let member = try await TimeBankService(db: app.db).join(bank, personID: person.id, by: .system)
            _ = try await ProducerGroupService(db: app.db).join(group, personID: person.id, produces: "", by: .system)
            _ = try await Ledger(db: app.db).record(ExchangeDraft(bankID: bank, provider: first, recipient: member.id, minutes: i == 0 ? 600 : 30,
                                                                  serviceDate: "2026-11-0\(1 + i % 9)"), by: .system)
        }
    }
}
