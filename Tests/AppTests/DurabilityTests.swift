@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import SQLKit
import Testing
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

    @Test("Concurrent transfers through the API on a file database: no 500, nothing lost, no account past its limit")
    func concurrentTransfers() async throws {
        try await Self.withFileApp { app in
            let fixture = try await seed(app)
            let members = try await TimeBankAPITests.openBank(app, fixture)
            let api = try await APIClient.forUser("coordinator", on: app)
            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String?).self) { group in
                for i in 0..<40 {
                    let from = members[i % 3], to = members[(i + 1 + i / 3) % 3]
                    guard from.id != to.id else { continue }
                    group.addTask {
                        let response = try await api.send(.POST, "/timebanks/\(fixture.bank.id)/transfers",
                                                          json: #"{"providerId":"\#(from.id)","recipientId":"\#(to.id)","minutes":\#(60 + (i % 5) * 60),"serviceDate":"2026-11-20"}"#)
                        return (response.status, response.status == .created ? (try? api.json(response)["id"] as? String) ?? nil : nil)
                    }
                }
                var all: [(HTTPStatus, String?)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(statuses.allSatisfy { $0.0 == .created || $0.0 == .unprocessableEntity }, "\(statuses.map(\.0.code))")
            let booked = Set(statuses.compactMap(\.1))
            let stored = Set(try await TimeTransfer.query(on: app.db).all().map { $0.id!.uuidString })
            #expect(booked == stored)
            let accounts = try await TimeAccount.query(on: app.db).all()
            #expect(accounts.reduce(0) { $0 + $1.balanceMinutes } == 0)
            #expect(accounts.allSatisfy { account in account.lowerLimitMinutes.map { account.balanceMinutes >= $0 } ?? true })
        }
    }
}
