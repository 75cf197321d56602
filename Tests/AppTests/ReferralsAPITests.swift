import AsharNetwork
import Fluent
import Foundation
import SQLKit
import Referrals
import Testing
import VaporTesting
@testable import App

@Suite("Referrals API")
struct ReferralsAPITests {
    @Test("A case worker opens a case, records consent and refers it; the other centre sees what consent covers and answers it; others get 404")
    func caseToReferral() async throws {
        try await withAshar { app, fixture in
            let centre2 = fixture.helpCentre2.id.uuidString
            let service = try await DirectoryService(db: app.db).create(HelpServiceDraft(
                organisationID: fixture.helpCentre2.id, provider: "«Үмүт» баш калкалоочу жай", kind: .crisisShelter,
                districtIDs: [try #require(fixture.village.districtID)]), by: .system)
            let worker = try await APIClient.forUser("caseworker", on: app)
            let caseJSON = """
                {"alias": "Гүл-7", "situations": ["domestic_violence"], "riskLevel": "high", "villageId": "\(fixture.village.id.uuidString)",
                 "preferences": {"providerSex": "female", "languages": ["ky"], "never": "Үйгө чалбагыла"}, "notes": "Күйөөсү коркутат"}
                """
            let created = try await worker.send(.POST, "/cases", json: caseJSON, headers: [("Idempotency-Key", "case-gul-7")])
            #expect(created.status == .created)
            let body = try worker.json(created)
            let id = try #require(body["id"] as? String)
            #expect(body["notes"] as? String == "Күйөөсү коркутат")
            #expect(body["holder"] as? Bool == true)
            // The answer kept for a resend is sealed like the case: her notes are not readable in it.
            let kept = try await (app.db as! any SQLDatabase).raw("SELECT body FROM idempotency_records").all()
                .map { try $0.decode(column: "body", as: String.self) }.joined()
            #expect(!kept.isEmpty && !kept.contains("Күйөөсү"))
            let replayed = try await worker.send(.POST, "/cases", json: caseJSON, headers: [("Idempotency-Key", "case-gul-7")])
            #expect(replayed.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try worker.json(replayed)["notes"] as? String == "Күйөөсү коркутат")

            let services = try worker.json(try await worker.send(.GET, "/services?kind=crisis_shelter"))
            #expect((services["items"] as? [[String: Any]])?.first?["id"] as? String == service.id.uuidString)

            let refused = try await worker.send(.POST, "/cases/\(id)/referrals", json: #"{"serviceId": "\#(service.id.uuidString)"}"#)
            #expect(refused.status == .unprocessableEntity)
            #expect(try worker.json(refused)["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "referrals.no-consent")

            let consent = try await worker.send(.POST, "/cases/\(id)/consents", json: """
                {"recipientOrganisationId": "\(centre2)", "scope": ["situation", "preferences"], "purpose": "Баш калкалоо", "givenHow": "interpreter"}
                """)
            #expect(consent.status == .created)
            let consentID = try #require(try worker.json(consent)["id"] as? String)
            let referral = try await worker.send(.POST, "/cases/\(id)/referrals",
                                                 json: #"{"serviceId": "\#(service.id.uuidString)", "consentId": "\#(consentID)", "followUpOn": "2030-01-10"}"#)
            #expect(referral.status == .created)
            let referralID = try #require(try worker.json(referral)["id"] as? String)

            let receiver = try await APIClient.forUser("caseworker2", on: app)
            let seen = try receiver.json(try await receiver.send(.GET, "/cases/\(id)"))
            #expect(seen["holder"] as? Bool == false)
            #expect(seen["situations"] as? [String] == ["domestic_violence"])
            #expect(seen["notes"] == nil && seen["villageId"] == nil)
            #expect((seen["preferences"] as? [String: Any])?["never"] as? String == "Үйгө чалбагыла")
            #expect(try receiver.json(try await receiver.send(.GET, "/cases"))["total"] as? Int == 1)

            let wrongSide = try await worker.send(.POST, "/referrals/\(referralID)/accept", json: "{}")
            #expect(wrongSide.status == .forbidden, "\(wrongSide.status) \(wrongSide.body.string)")
            let declined = try await receiver.send(.POST, "/referrals/\(referralID)/decline", json: "{}")
            #expect(declined.status == .unprocessableEntity)
            #expect(try await receiver.send(.POST, "/referrals/\(referralID)/accept").status == .ok)  // no body: nothing to add
            let done = try await receiver.send(.POST, "/referrals/\(referralID)/done", json: #"{"outcome": "helped"}"#)
            #expect(try receiver.json(done)["status"] as? String == "done")
            #expect(try await worker.send(.POST, "/referrals/\(referralID)/revoke", json: "{}").status == .conflict)

            // Everyone else: the case and the referral do not exist for them, and only case workers list cases.
            for login in ["admin", "coordinator", "viewer", "member"] {
                let other = try await APIClient.forUser(login, on: app)
                let status = try await other.send(.GET, "/cases/\(id)").status
                #expect(status == .notFound, "\(login) GET case: \(status)")
                #expect(try await other.send(.POST, "/referrals/\(referralID)/revoke", json: "{}").status == .notFound)
                #expect(try await other.send(.GET, "/cases").status == .forbidden, "\(login) lists cases")
            }
            #expect(try await worker.send(.GET, "/cases/\(UUID().uuidString)").status == .notFound)
        }
    }

    @Test("The report counts, with every count under five shown as <5; a supervisor may send without consent, with a reason")
    func reportAndOverride() async throws {
        try await withAshar { app, fixture in
            let service = try await DirectoryService(db: app.db).create(HelpServiceDraft(
                organisationID: fixture.helpCentre2.id, provider: "Юридикалык клиника", kind: .legalAid,
                districtIDs: [try #require(fixture.village.districtID)]), by: .system)
            let supervisor = try await APIClient.forUser("supervisor", on: app)
            let created = try supervisor.json(try await supervisor.send(.POST, "/cases", json: #"{"alias": "А-1", "situations": ["legal"], "riskLevel": "low"}"#))
            let id = try #require(created["id"] as? String)
            let worker = try await APIClient.forUser("caseworker", on: app)
            let notAllowed = try await worker.send(.POST, "/cases/\(id)/referrals", json: #"{"serviceId": "\#(service.id.uuidString)", "overrideReason": "Шашылыш"}"#)
            #expect(notAllowed.status == .forbidden)
            let urgent = try await supervisor.send(.POST, "/cases/\(id)/referrals", json: #"{"serviceId": "\#(service.id.uuidString)", "overrideReason": "Шашылыш"}"#)
            #expect(urgent.status == .created)

            let viewer = try await APIClient.forUser("viewer", on: app)
            let report = try viewer.json(try await viewer.send(.GET, "/referrals/report"))
            #expect(report["cases"] as? String == "<5")
            #expect((report["bySituation"] as? [[String: Any]])?.first?["count"] as? String == "<5")
            #expect((report["byService"] as? [[String: Any]])?.first?["key"] as? String == "legal_aid")
            #expect(try await viewer.send(.GET, "/referrals/report?from=2026-13-01").status == .unprocessableEntity)
            let member = try await APIClient.forUser("member", on: app)
            #expect(try await member.send(.GET, "/referrals/report").status == .forbidden)
        }
    }
}
