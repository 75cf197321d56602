@testable import App
import AsharNetwork
import Certification
import DemoData
import Fluent
import Foundation
import Needs
import Partnerships
import Producers
import Referrals
import Reporting
import SQLKit
import Testing
import TestSupport
import TimeBank
import Training
import Vapor
import VaporTesting

/// A database made by an earlier release is upgraded by starting today's Ashar on it. The fixtures in
/// `Tests/Fixtures/upgrade` are the demo network as the release of 2026-11-28 (commit d228850) wrote
/// it — its SQLite file, and a dump of its PostgreSQL schema `release_fixture` — made by
/// `scripts/make-upgrade-fixture.sh`.
@Suite("Upgrades: a database of the release of 2026-11-28 migrates to today's schema with its data intact")
struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/upgrade")
    /// The tables whose rows the upgrade must keep, one and all.
    static let kept = ["places", "organisations", "people", "users", "role_grants", "timebank_members", "timebank_accounts", "timebank_transfers",
                       "timebank_entries", "timebank_listings", "producer_members", "producer_rounds", "producer_orders", "producer_account_entries",
                       "producer_intakes", "needs_forms", "needs_submissions", "partnerships_stakeholders", "partnerships_agreements",
                       "referrals_cases", "referrals_referrals", "certification_products", "certification_documents", "training_sessions"]

    static func unzipped(_ name: String) throws -> Data {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-dc", fixtures.appendingPathComponent(name).path]
        let out = Pipe()
        gzip.standardOutput = out
        try gzip.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        try #require(gzip.terminationStatus == 0)
        return data
    }

    /// The release's PostgreSQL dump, loaded into `schema` with psql.
    static func loadDump(into schema: String, at url: String) throws {
        let dump = String(decoding: try unzipped("2026-11-28.postgres.sql.gz"), as: UTF8.self).replacingOccurrences(of: "release_fixture", with: schema)
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url, "-q", "-v", "ON_ERROR_STOP=1"]
        let input = Pipe()
        psql.standardInput = input
        psql.standardOutput = FileHandle.nullDevice
        try psql.run()
        input.fileHandleForWriting.write(Data(dump.utf8))
        try input.fileHandleForWriting.close()
        psql.waitUntilExit()
        try #require(psql.terminationStatus == 0, "psql could not load the release's dump")
    }

    static var everyMigration: Set<String> {
        let all: [any Migration] = NetworkMigrations.all + TimeBankMigrations.all + ProducerMigrations.all + NeedsMigrations.all
            + PartnershipMigrations.all + ReferralMigrations.all + CertificationMigrations.all + TrainingMigrations.all + ReportingMigrations.all + [SessionRecord.migration]
        return Set(all.map(\.name))
    }

    @Test("Every table keeps its rows, every migration since has run, the books balance, and the pages and API work on it")
    func upgrades() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let choice: DatabaseChoice, schema: String?
        if let url = TestDatabase.postgresURL {
            schema = TestDatabase.freshSchemaName()
            try Self.loadDump(into: schema!, at: url.replacingOccurrences(of: "?sslmode=disable", with: ""))
            choice = .postgres(url, schema: schema)
        } else {
            schema = nil
            let file = work.appendingPathComponent("ashar.sqlite")
            try Self.unzipped("2026-11-28.sqlite.gz").write(to: file)
            choice = .sqliteFile(file.path)
        }
        try await withApp(configure: { app in try await configure(app, database: choice) }) { app in
            let sql = try #require(app.db as? any SQLDatabase)
            func count(_ table: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
            }
            func migrations() async throws -> Set<String> {
                Set(try await sql.raw("SELECT name FROM _fluent_migrations").all().map { try $0.decode(column: "name", as: String.self) })
            }
            var before: [String: Int] = [:]
            for table in Self.kept { before[table] = try await count(table) }
            let missing = Self.everyMigration.subtracting(try await migrations())
            #expect(!missing.isEmpty, "the fixture is older than today's schema")
            #expect(before["timebank_transfers"]! > 100 && before["needs_submissions"]! == DemoNetwork.baselineCount)

            try await migrate(app)

            #expect(try await migrations() == Self.everyMigration)
            for table in Self.kept { #expect(try await count(table) == before[table], "\(table) kept its rows") }
            // The ledger: entries sum to zero, and every cached balance is its entries' sum.
            let total = try await sql.raw("SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS n FROM timebank_entries").first()!.decode(column: "n", as: Int.self)
            #expect(total == 0)
            let off = try await sql.raw("""
                SELECT COUNT(*) AS n FROM timebank_accounts a
                WHERE a.balance_minutes <> (SELECT COALESCE(SUM(e.minutes), 0) FROM timebank_entries e WHERE e.account_id = a.id)
                """).first()!.decode(column: "n", as: Int.self)
            #expect(off == 0)

            // Today's app on the upgraded data: pages, the API, a new transfer.
            let coordinator = Browser(app)
            _ = try await coordinator.login("coordinator", DemoNetwork.staffPassword)
            let bank = try await sql.raw("SELECT id FROM organisations WHERE name = 'Сарай убакыт банкы'").first()!.decode(column: "id", as: UUID.self)
            for page in ["/", "/timebanks", "/timebanks/\(bank)", "/timebanks/\(bank)/register", "/dashboard", "/producer-groups", "/people"] {
                #expect(try await coordinator.get(page).status == .ok, "\(page)")
            }
            let api = try await APIClient.forUser("coordinator", on: app)
            let members = try api.json(try await api.send(.GET, "/timebanks/\(bank)/members?per=200"))
            let items = try #require(members["items"] as? [[String: Any]])
            #expect(members["total"] as? Int == items.count && items.count > 2)
            let provider = try #require(items[0]["id"] as? String), recipient = try #require(items[1]["id"] as? String)
            let booked = try await api.send(.POST, "/timebanks/\(bank)/transfers", json: """
                {"providerId": "\(provider)", "recipientId": "\(recipient)", "minutes": 30, "serviceDate": "2026-11-30"}
                """)
            #expect(booked.status == .created)
            #expect(try await count("timebank_transfers") == before["timebank_transfers"]! + 1)
            try await TestDatabase.drop(schema, on: app.db)
        }
    }
}
