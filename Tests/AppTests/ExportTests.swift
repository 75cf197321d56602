@testable import App
import AsharNetwork
import Fluent
import Foundation
import Testing
import TestSupport
import TimeBank
import Vapor

@Suite("Export")
struct ExportTests {
    @Test("ashar export writes every table as JSON, in counts that match the database, without password hashes or tokens")
    func export() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let member = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: fixture.member.id, by: .system)
            _ = try await APIClient.forUser("coordinator", on: app)  // a token, to be left out
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let counts = try await Export.write(app.db, to: dir)

            #expect(counts["people"] == (try await Person.query(on: app.db).count()))
            #expect(counts["timebank_members"] == 1)
            #expect(counts["users"] == (try await User.query(on: app.db).count()))
            #expect(counts["api_tokens"] == nil && counts["_fluent_sessions"] == nil)
            // The names' indexes are worked out from the people, not data.
            #expect(counts.keys.filter { $0.hasPrefix("people_search") || $0 == "people_name_words" }.isEmpty)
            let people = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("people.json"))) as! [[String: Any]]
            #expect(people.contains { $0["full_name"] as? String == "Асанова Гүлнара" && ($0["id"] as? String)?.uppercased() == fixture.member.id.uuidString })
            let members = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("timebank_members.json"))) as! [[String: Any]]
            #expect((members.first?["id"] as? String)?.uppercased() == member.id.uuidString)  // PostgreSQL writes ids in lower case
            let users = try String(contentsOf: dir.appendingPathComponent("users.json"), encoding: .utf8)
            #expect(users.contains("coordinator") && !users.contains("password_hash") && !users.contains("$2b$"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("api_tokens.json").path))
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json"))) as! [String: Any]
            #expect((manifest["tables"] as? [String: Int])?["people"] == counts["people"])
            // Into a folder that holds something already: refused, nothing overwritten.
            await #expect(throws: (any Error).self) { _ = try await Export.write(app.db, to: dir) }
        }
    }
}
