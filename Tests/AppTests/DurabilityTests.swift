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

@Suite("Embedded SQLite")
struct DurabilityTests {
    /// A file database in a folder of its own, like an office's.
    static func withFileApp(_ body: (Application) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withApp(configure: { app in
            try await configure(app, database: .sqliteFile(dir.appendingPathComponent("ashar.sqlite").path))
        }) { app in
            try await migrate(app)
            try await body(app)
        }
    }

    @Test("Write-ahead log with synchronous=FULL: an acknowledged write survives a power cut")
    func durableByDefault() async throws {
        try await Self.withFileApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
            let synchronous = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            #expect(synchronous == 2)  // FULL
        }
    }

    @Test("The server's own long reads (the needs counted as it starts) hold a connection of their own, not one a request waits for")
    func backgroundReadsOffTheRequestsPool() async throws {
        try await Self.withFileApp { app in
            let release = app.eventLoopGroup.next().makePromise(of: Void.self)
            let held = app.eventLoopGroup.next().makePromise(of: Void.self)
            let holding = app.backgroundReadsDB.withConnection { _ in
                held.succeed(())
                return release.futureResult
            }
            try await held.futureResult.get()
            // Requests go to each event loop in turn; the pool's wait for a connection is 10 s.
            let started = ContinuousClock.now
            var statuses: [HTTPStatus] = []
            for _ in 0..<4 { statuses.append((try? await app.testing().sendRequest(.GET, "health"))?.status ?? .internalServerError) }
            let waited = ContinuousClock.now - started
            // The connection given back before the application stops and closes its pool.
            release.succeed(())
            try await holding.get()
            #expect(statuses == Array(repeating: .ok, count: 4))
            #expect(waited < .seconds(5))
        }
    }

    @Test("An answer filled in without a second wait for the disk is replayed, and the writer waits for the disk again after")
    func answerKeptUnsynced() async throws {
        try await Self.withFileApp { app in
            let fixture = try await seed(app)
            let worker = try await APIClient.forUser("caseworker", on: app)
            let caseJSON = #"{"alias": "Гүл-8", "situations": ["economic"], "riskLevel": "low", "villageId": "\#(fixture.village.id.uuidString)"}"#
            let created = try await worker.send(.POST, "/cases", json: caseJSON, headers: [("Idempotency-Key", "case-gul-8")])
            #expect(created.status == .created)
            let id = try #require(try worker.json(created)["id"] as? String)
            let sql = try #require(app.db as? any SQLDatabase)
            let statuses = try await sql.raw("SELECT status FROM idempotency_records").all().map { try $0.decode(column: "status", as: Int.self) }
            #expect(statuses == [201])
            let replayed = try await worker.send(.POST, "/cases", json: caseJSON, headers: [("Idempotency-Key", "case-gul-8")])
            #expect(replayed.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try worker.json(replayed)["id"] as? String == id)
            let writer = try #require(app.storage[SQLiteLedgerWriterKey.self]?.db as? any SQLDatabase)
            #expect(try await writer.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) == 2)  // FULL
        }
    }

    /// The office's own database: a file SQLite in a folder of its own, or PostgreSQL when `DATABASE_URL` names one.
    static func withOfficeDatabase(_ body: (Application, Fixture) async throws -> Void) async throws {
        if TestDatabase.postgresURL != nil {
            try await withAshar(body)
        } else {
            try await withFileApp { app in try await body(app, try await seed(app)) }
        }
    }

    struct Outcome: Sendable {
        let status: HTTPStatus
        let transferID: String?
        let code: String?
        let key: String
        let body: String
    }

    @Test("32 clients, random transfers among 50 accounts held near their limits: nothing lost, nothing made up")
    func thirtyTwoClients() async throws {
        try await Self.withOfficeDatabase { app, fixture in
            // Limits of one hour below and two above zero: most accounts are always near one or the other.
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, settings: .init(lowerLimitMinutes: -60, upperLimitMinutes: 120),
                                                           by: .system)
            let make = Factories(db: app.db)
            var members: [UUID] = []
            for i in 0..<50 {
                let person = try await make.person("Мүчө \(["Айгүл", "Бурул", "Чолпон", "Динара", "Элмира"][i % 5]) \(String(repeating: "а", count: i / 5 + 1))",
                                                   in: fixture.village, born: 1960 + i)
                members.append(try await TimeBankService(db: app.db).join(fixture.bank.id, personID: person.id, by: .system).id)
            }
            let api = try await APIClient.forUser("coordinator", on: app)
            let path = "/timebanks/\(fixture.bank.id)/transfers"
            let chosen = members
            let outcomes = try await withThrowingTaskGroup(of: [Outcome].self) { group in
                for client in 0..<32 {
                    group.addTask {
                        var generator = SystemRandomNumberGenerator()
                        var mine: [Outcome] = []
                        for request in 0..<10 {
                            let from = chosen.randomElement(using: &generator)!
                            var to = chosen.randomElement(using: &generator)!
                            while to == from { to = chosen.randomElement(using: &generator)! }
                            let body = #"{"providerId":"\#(from)","recipientId":"\#(to)","minutes":\#(Int.random(in: 15...60, using: &generator)),"serviceDate":"2026-11-20"}"#
                            let key = "c\(client)-r\(request)"
                            let response = try await api.send(.POST, path, json: body, headers: [("Idempotency-Key", key)])
                            let json = try? api.json(response)
                            mine.append(Outcome(status: response.status, transferID: json?["id"] as? String,
                                                code: (json?["error"] as? [String: Any])?["code"] as? String, key: key, body: body))
                        }
                        return mine
                    }
                }
                var all: [Outcome] = []
                for try await some in group { all += some }
                return all
            }
            #expect(outcomes.count == 320)
            #expect(outcomes.allSatisfy { $0.status == .created || $0.status == .unprocessableEntity }, "\(Set(outcomes.map(\.status.code)))")
            let refusals = Set(outcomes.filter { $0.status == .unprocessableEntity }.compactMap(\.code))
            #expect(refusals.isSubset(of: ["timebank.over-credit-limit", "timebank.over-upper-limit"]), "\(refusals)")
            let acknowledged = outcomes.filter { $0.status == .created }
            #expect(!acknowledged.isEmpty && acknowledged.count < 320, "both answers should occur near the limits")

            // Every 201 is in the ledger, and nothing else is.
            let stored = Set(try await TimeTransfer.query(on: app.db).all().map { $0.id!.uuidString })
            #expect(Set(acknowledged.compactMap(\.transferID)) == stored)

            // The same requests again, with the same keys: the first answers come back, nothing new is booked.
            for outcome in outcomes.prefix(40) {
                let again = try await api.send(.POST, path, json: outcome.body, headers: [("Idempotency-Key", outcome.key)])
                #expect(again.status == outcome.status)
                if outcome.status == .created { #expect((try? api.json(again))?["id"] as? String == outcome.transferID) }
            }
            #expect(try await TimeTransfer.query(on: app.db).count() == stored.count)

            // The books: every balance is the sum of its entries, they sum to zero, none is past its limit.
            let accounts = try await TimeAccount.query(on: app.db).all()
            let entries = try await TimeEntry.query(on: app.db).all()
            let byAccount = Dictionary(grouping: entries, by: \.accountID)
            #expect(accounts.reduce(0) { $0 + $1.balanceMinutes } == 0)
            for account in accounts {
                let own = byAccount[account.id!] ?? []
                #expect(account.balanceMinutes == own.reduce(0) { $0 + $1.minutes })
                #expect(own.map(\.sequence).sorted() == Array(1...max(1, own.count)).prefix(own.count).map { $0 })
                #expect(account.lowerLimitMinutes.map { account.balanceMinutes >= $0 } ?? true)
                #expect(account.upperLimitMinutes.map { account.balanceMinutes <= $0 } ?? true)
            }
            for (_, legs) in Dictionary(grouping: entries, by: \.transferID) { #expect(legs.reduce(0) { $0 + $1.minutes } == 0) }
        }
    }

    @Test("A backup taken while transfers are booked holds every one acknowledged before it began, with books that balance; restored, it serves")
    func backupUnderLoad() async throws {
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-backup-\(UUID().uuidString)")
        let restored = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-restored-\(UUID().uuidString)")
        defer { for dir in [backup, restored] { try? FileManager.default.removeItem(at: dir) } }
        var acknowledgedBefore: Set<UUID> = []
        try await Self.withFileApp { app in
            let fixture = try await seed(app)
            let members = try await TimeBankAPITests.openBank(app, fixture)
            let bank = fixture.bank.id
            // A person registered and removed leaves a gap in the registry's row numbers, which the names'
            // full-text index refers to: the backup must keep them.
            let people = PeopleService(db: app.db)
            for name in ["Жолдошбекова Бермет", "Токтогулова Жазгүл"] {
                _ = try await people.create(PersonDraft(fullName: name, sex: .female, birthYear: 1990, villageID: fixture.village.id), by: .system)
            }
            try await (app.db as! any SQLDatabase).raw("DELETE FROM people WHERE full_name = 'Жолдошбекова Бермет'").run()
            let acknowledged = Acknowledged()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The office keeps booking, one exchange after another, each acknowledged once committed.
                group.addTask {
                    for i in 0..<300 {
                        let (from, to) = i % 2 == 0 ? (members[0].id, members[1].id) : (members[1].id, members[0].id)
                        let transfer = try await Ledger(db: app.db).record(ExchangeDraft(bankID: bank, provider: from, recipient: to, minutes: 15,
                                                                                        serviceDate: "2026-11-20"), by: .system)
                        await acknowledged.add(transfer.id)
                    }
                }
                group.addTask {
                    while await acknowledged.count < 100 { try await Task.sleep(for: .milliseconds(5)) }
                    await acknowledged.backupBegins()
                    let written = try await Backup.take(app, to: backup)
                    #expect(written.contains(Backup.sqliteName))
                }
                try await group.waitForAll()
            }
            #expect(await acknowledged.count == 300)
            acknowledgedBefore = await acknowledged.beforeBackup
        }
        #expect(acknowledgedBefore.count >= 100)

        // Restored into a new office's folder, it opens and holds what was acknowledged before the backup.
        try await withApp(configure: { app in
            try await configure(app, database: .sqliteFile(restored.appendingPathComponent("ashar.sqlite").path))
        }) { app in
            try await Backup.restore(app, from: backup)
            try await migrate(app)
            let ids = Set(try await TimeTransfer.query(on: app.db).all().compactMap(\.id))
            #expect(acknowledgedBefore.isSubset(of: ids))
            let accounts = try await TimeAccount.query(on: app.db).all()
            let entries = Dictionary(grouping: try await TimeEntry.query(on: app.db).all(), by: \.accountID)
            #expect(accounts.reduce(0) { $0 + $1.balanceMinutes } == 0)
            for account in accounts { #expect(account.balanceMinutes == (entries[account.id!] ?? []).reduce(0) { $0 + $1.minutes }) }
            // The names' index still matches the registry, row for row.
            try await (app.db as! any SQLDatabase).raw("INSERT INTO people_search (people_search) VALUES ('integrity-check')").run()
            #expect(try await PeopleService(db: app.db).search(q: "токтогул жазгүл", page: PageQuery()).items.map(\.fullName) == ["Токтогулова Жазгүл"])
            #expect(try await PeopleService(db: app.db).search(q: "жолдошбек", page: PageQuery()).total == 0)
            // Restoring over a database is refused: nothing is overwritten.
            await #expect(throws: Backup.Failure.self) { try await Backup.restore(app, from: backup) }
        }
    }
}

/// Transfers acknowledged so far, in the order their commits returned.
actor Acknowledged {
    private(set) var ids: Set<UUID> = []
    /// Those acknowledged when the backup began.
    private(set) var beforeBackup: Set<UUID> = []
    var count: Int { ids.count }
    func add(_ id: UUID) { ids.insert(id) }
    func backupBegins() { beforeBackup = ids }
}
