@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import SQLKit
import Testing
import TimeBank
import Vapor
import VaporTesting

@Suite("Time bank API")
struct TimeBankAPITests {
    /// The fixture's bank opened, with the fixture's member and two more women as members.
    static func openBank(_ app: Application, _ fixture: Fixture) async throws -> [MemberRecord] {
        let banks = TimeBankService(db: app.db)
        _ = try await banks.open(fixture.bank.id, by: .system)
        let make = Factories(db: app.db)
        var members = [try await banks.join(fixture.bank.id, personID: fixture.member.id, by: .system)]
        for name in ["Осмонова Бурул", "Исакова Айжан"] {
            let person = try await make.person(name, in: fixture.village)
            members.append(try await banks.join(fixture.bank.id, personID: person.id, by: .system))
        }
        return members
    }

    @Test("Members join over the API and get a member number")
    func join() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let api = try await APIClient.forUser("coordinator", on: app)
            let joined = try await api.send(.POST, "/timebanks/\(fixture.bank.id)/members", json: #"{"personId":"\#(fixture.member.id)"}"#)
            #expect(joined.status == .created)
            let body = try api.json(joined)
            // She already had a number with this organisation, from the paper register: it is kept.
            #expect(body["memberNumber"] as? String == "СР-001")
            #expect((body["personId"] as? String).flatMap(UUID.init(uuidString:)) == fixture.member.id)
            #expect(try await api.send(.POST, "/timebanks/\(fixture.bank.id)/members", json: #"{"personId":"\#(fixture.member.id)"}"#).status == .conflict)
            let list = try api.json(try await api.send(.GET, "/timebanks/\(fixture.bank.id)/members"))
            #expect(list["total"] as? Int == 1)
            let banks = try api.json(try await api.send(.GET, "/timebanks"))
            #expect((banks["items"] as? [[String: Any]])?.first?["lowerLimitMinutes"] as? Int == -600)
        }
    }

    @Test("Transfers: 201 and the balances move; past the limit 422 and nothing moves; reversal once")
    func transfers() async throws {
        try await withAshar { app, fixture in
            let m = try await Self.openBank(app, fixture)
            let api = try await APIClient.forUser("coordinator", on: app)
            let bank = fixture.bank.id
            func transfer(_ from: MemberRecord, _ to: MemberRecord, _ minutes: Int, key: String? = nil) async throws -> TestingHTTPResponse {
                try await api.send(.POST, "/timebanks/\(bank)/transfers",
                                   json: #"{"providerId":"\#(from.id)","recipientId":"\#(to.id)","minutes":\#(minutes),"serviceDate":"2026-11-20","note":"той"}"#,
                                   headers: key.map { [("Idempotency-Key", $0)] } ?? [])
            }
            let booked = try await transfer(m[0], m[1], 120, key: "slip-7")
            #expect(booked.status == .created)
            let id = try #require(try api.json(booked)["id"] as? String)
            // The ledger's batch finds the key (no read before it): the first answer comes back, nothing is booked.
            let replay = try await transfer(m[0], m[1], 120, key: "slip-7")
            #expect(replay.status == .created)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try api.json(replay)["id"] as? String == id)
            let reused = try await transfer(m[0], m[1], 90, key: "slip-7")
            #expect(reused.status == .conflict)
            #expect((try api.json(reused)["error"] as? [String: Any])?["code"] as? String == "api.idempotency-key-reused")
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)

            let account = try api.json(try await api.send(.GET, "/timebanks/\(bank)/accounts/\(m[1].id)"))
            #expect(account["balanceMinutes"] as? Int == -120)
            #expect(account["lowerLimitMinutes"] as? Int == -600)

            let over = try await transfer(m[2], m[1], 481, key: "slip-8")
            #expect(over.status == .unprocessableEntity)
            #expect((try api.json(over)["error"] as? [String: Any])?["code"] as? String == "timebank.over-credit-limit")
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)
            // The refusal was kept by the batch that refused it: a replay gets the same answer, word for word.
            let overAgain = try await transfer(m[2], m[1], 481, key: "slip-8")
            #expect(overAgain.status == .unprocessableEntity)
            #expect(overAgain.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(overAgain.body.string == over.body.string)
            #expect(overAgain.headers.contentType == over.headers.contentType)

            let zero = try await transfer(m[2], m[1], 0)
            #expect(zero.status == .unprocessableEntity)
            #expect((try api.json(zero)["error"] as? [String: Any])?["code"] as? String == "timebank.minutes-invalid")
            let badDate = try await api.send(.POST, "/timebanks/\(bank)/transfers",
                                             json: #"{"providerId":"\#(m[0].id)","recipientId":"\#(m[1].id)","minutes":30,"serviceDate":"2026-02-30"}"#)
            #expect(badDate.status == .unprocessableEntity)
            let unknown = try await api.send(.POST, "/timebanks/\(bank)/transfers",
                                             json: #"{"providerId":"\#(UUID())","recipientId":"\#(m[1].id)","minutes":30,"serviceDate":"2026-11-20"}"#)
            #expect(unknown.status == .notFound)

            let reversal = try await api.send(.POST, "/timebanks/\(bank)/transfers/\(id)/reversal")
            #expect(reversal.status == .created)
            #expect(try api.json(reversal)["reversesId"] as? String == id)
            #expect(try await api.send(.POST, "/timebanks/\(bank)/transfers/\(id)/reversal").status == .conflict)

            let statement = try api.json(try await api.send(.GET, "/timebanks/\(bank)/accounts/\(m[0].id)/statement"))
            let lines = try #require(statement["items"] as? [[String: Any]])
            #expect(lines.map { $0["minutes"] as? Int } == [120, -120])
            #expect(lines.map { $0["balanceMinutes"] as? Int } == [120, 0])
            #expect(statement["closingBalanceMinutes"] as? Int == 0)
        }
    }

    @Test("An Idempotency-Key's answer is kept for a replay for 90 days, then forgotten by the serving app's own repeating work")
    func keptAnswersForgotten() async throws {
        try await withAshar { app, fixture in
            let m = try await Self.openBank(app, fixture)
            let api = try await APIClient.forUser("coordinator", on: app)
            func transfer(key: String) async throws -> TestingHTTPResponse {
                try await api.send(.POST, "/timebanks/\(fixture.bank.id)/transfers",
                                   json: #"{"providerId":"\#(m[0].id)","recipientId":"\#(m[1].id)","minutes":60,"serviceDate":"2026-11-20"}"#,
                                   headers: [("Idempotency-Key", key)])
            }
            let old = try api.json(try await transfer(key: "slip-old"))["id"] as? String
            let recent = try api.json(try await transfer(key: "slip-recent"))["id"] as? String
            let sql = app.db as! any SQLDatabase
            // One answer given 91 days ago, the other 89.
            for (key, days) in [("slip-old", 91.0), ("slip-recent", 89.0)] {
                try await sql.raw("UPDATE idempotency_records SET created_at = \(bind: Date().addingTimeInterval(-days * 24 * 3600)) WHERE key = \(bind: key)").run()
            }
            app.startRepeatingWork()
            var left = 2
            for _ in 0..<600 where left == 2 {  // up to 30 s: a full parallel run on PostgreSQL slows everything
                try await Task.sleep(for: .milliseconds(50))
                left = try await sql.raw("SELECT COUNT(*) AS n FROM idempotency_records").first()!.decode(column: "n", as: Int.self)
            }
            #expect(left == 1)
            let replay = try await transfer(key: "slip-recent")
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try api.json(replay)["id"] as? String == recent)
            // The forgotten key is a new request now: booked again, under a new id.
            let resent = try await transfer(key: "slip-old")
            #expect(resent.status == .created && resent.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try api.json(resent)["id"] as? String != old)
            #expect(try await TimeTransfer.query(on: app.db).count() == 3)
        }
    }

    @Test("Only the bank's coordinators and admins book; a member reads her own account only")
    func access() async throws {
        try await withAshar { app, fixture in
            let m = try await Self.openBank(app, fixture)
            let bank = fixture.bank.id
            let body = #"{"providerId":"\#(m[0].id)","recipientId":"\#(m[1].id)","minutes":30,"serviceDate":"2026-11-20"}"#
            for login in ["viewer", "caseworker", "member"] {
                let api = try await APIClient.forUser(login, on: app)
                #expect(try await api.send(.POST, "/timebanks/\(bank)/transfers", json: body).status == .forbidden, "\(login)")
            }
            #expect(try await APIClient.forUser("admin", on: app).send(.POST, "/timebanks/\(bank)/transfers", json: body).status == .created)
            let member = try await APIClient.forUser("member", on: app)
            #expect(try await member.send(.GET, "/timebanks/\(bank)/accounts/\(m[0].id)").status == .ok)
            #expect(try await member.send(.GET, "/timebanks/\(bank)/accounts/\(m[0].id)/statement").status == .ok)
            #expect(try await member.send(.GET, "/timebanks/\(bank)/accounts/\(m[1].id)").status == .forbidden)
            #expect(try await member.send(.GET, "/timebanks/\(bank)/members").status == .forbidden)

            // Staff read any account in their bank; a member of another bank, or no one, is not found there.
            let other = try await Factories(db: app.db).organisation("Кара-Суу убакыт банкы", kind: .timeBank, in: fixture.village)
            _ = try await TimeBankService(db: app.db).open(other.id, by: .system)
            let outsider = try await TimeBankService(db: app.db).join(other.id, personID: m[1].personID, by: .system)
            let admin = try await APIClient.forUser("admin", on: app)
            for id in [outsider.id, UUID()] {
                for path in ["", "/statement"] {
                    #expect(try await admin.send(.GET, "/timebanks/\(bank)/accounts/\(id)\(path)").status == .notFound, "\(path)")
                }
            }
            #expect(try await admin.send(.GET, "/timebanks/\(other.id)/accounts/\(outsider.id)").status == .ok)
        }
    }
}

@Suite("Limit override")
struct LimitOverrideTests {
    @Test("Only a network admin may go past a limit, with a written reason the audit log keeps")
    func override() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let body = #"{"providerId":"\#(m[0].id)","recipientId":"\#(m[1].id)","minutes":700,"serviceDate":"2026-11-20","overrideReason":"Funeral: agreed at the members' meeting"}"#
            let coordinator = try await APIClient.forUser("coordinator", on: app)
            #expect(try await coordinator.send(.POST, "/timebanks/\(fixture.bank.id)/transfers", json: body).status == .forbidden)
            let admin = try await APIClient.forUser("admin", on: app)
            #expect(try await admin.send(.POST, "/timebanks/\(fixture.bank.id)/transfers", json: body).status == .created)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[1].id).balanceMinutes == -700)
            let audit = try await AuditLog(db: app.db).list(entity: "timebank_transfer", page: PageQuery())
            #expect(audit.items.first?.changes.contains(FieldChange(field: "override_reason", from: nil, to: "Funeral: agreed at the members' meeting")) == true)
            #expect(audit.items.first?.actorLogin == "admin")
        }
    }
}
