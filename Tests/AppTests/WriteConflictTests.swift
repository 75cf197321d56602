@testable import App
import Fluent
import Foundation
import SQLKit
import TestSupport
import Testing
import VaporTesting

@Suite("Writes that meet on PostgreSQL")
struct WriteConflictTests {
    @Test("Two transactions that lock rows in opposite orders: the one PostgreSQL cancels answers 503, try again, in her language, having written nothing",
          .enabled(if: TestDatabase.postgresURL != nil))
    func deadlockIsSentBack() async throws {
        try await withAshar { app, _ in
            let sql = app.db as! any SQLDatabase
            try await sql.raw("CREATE TABLE meeting_rows (id INT PRIMARY KEY, n INT NOT NULL)").run()
            try await sql.raw("INSERT INTO meeting_rows (id, n) VALUES (1, 0), (2, 0)").run()
            app.post("api", "v1", "meeting-writes") { req async throws -> String in
                // Each holds its first row before either asks for its second: a sleep instead let a
                // loaded machine start the second transaction after the first had finished.
                let bothHoldOne = Meeting(of: 2)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (first, second) in [(1, 2), (2, 1)] {
                        group.addTask {
                            try await req.db.transaction { tx in
                                let sql = tx as! any SQLDatabase
                                try await sql.raw("UPDATE meeting_rows SET n = n + 1 WHERE id = \(bind: first)").run()
                                await bothHoldOne.arrive()
                                try await sql.raw("UPDATE meeting_rows SET n = n + 1 WHERE id = \(bind: second)").run()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                return "both written"
            }
            try await app.test(.POST, "api/v1/meeting-writes", headers: ["Accept-Language": "ru", "Accept": "application/json"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers.first(name: "Retry-After") == "1")
                #expect(response.body.string.contains("server.write-conflict"))
                #expect(response.body.string.contains("ничего не сохранено"))
            }
            // The other transaction went through; the cancelled one left nothing.
            let total = try await sql.raw("SELECT SUM(n) AS total FROM meeting_rows").first()?.decode(column: "total", as: Int.self)
            #expect(total == 2)
        }
    }
}

/// Those who arrive wait until all of them have.
private actor Meeting {
    private let expected: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(of expected: Int) { self.expected = expected }

    func arrive() async {
        if waiting.count + 1 == expected {
            waiting.forEach { $0.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
