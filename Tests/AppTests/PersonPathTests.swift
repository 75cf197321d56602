import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Producers
import Referrals
import Testing
import TimeBank
import Training
import VaporTesting
@testable import App

@Suite("A woman's path across the network")
struct PersonPathTests {
    @Test("Shown only once she agreed, to staff who read the registry: her time bank, group, trainings, consultations — never her referral case")
    func consentAndNoReferrals() async throws {
        try await withAshar { app, fixture in
            let woman = fixture.member
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            _ = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: woman.id, welcome: false, by: .system)
            let make = Factories(db: app.db)
            let group = try await make.organisation("«Жибек» тобу", kind: .producerGroup, in: fixture.village)
            _ = try await ProducerGroupService(db: app.db).open(group.id, by: .system)
            _ = try await ProducerGroupService(db: app.db).join(group.id, personID: woman.id, produces: "курага", by: .system)
            let centre = try await make.organisation("Ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: fixture.village)
            let session = try await TrainingService(db: app.db).create(SessionDraft(organisationID: centre.id, topic: .bookkeeping, title: "Китеп жүргүзүү",
                                                                                    heldOn: "2026-05-12", villageID: fixture.village.id, trainer: "Б."), by: .system)
            _ = try await TrainingService(db: app.db).attend(session.id, person: woman.id, by: .system)
            _ = try await TrainingService(db: app.db).consult(ConsultationDraft(organisationID: centre.id, personID: woman.id, topic: .microfinance,
                                                                               heldOn: "2026-06-01", advisor: "Алиева Н."), by: .system)
            // She also asked a help centre for help, and agreed that the case names her.
            _ = try await CaseService(db: app.db, cipher: app.noteCipher).open(
                CaseDraft(alias: "Күн", situations: [.domesticViolence], riskLevel: .high, villageID: fixture.village.id, notes: "Жолдошу коркутат",
                          personID: woman.id, identityConsent: .spoken),
                at: fixture.helpCentre.id, grants: [Grant(role: .caseworker, organisationID: fixture.helpCentre.id)], by: .system)

            let coordinator = Browser(app, acceptLanguage: "en")
            try await coordinator.login("coordinator")
            let path = "/people/\(woman.id)/path"
            let before = try await coordinator.get(path)
            #expect(before.status == .ok)
            #expect(before.body.string.contains("has not agreed") && !before.body.string.contains("Сарай убакыт банкы"))
            #expect(!before.body.string.contains(woman.fullName + " ·") && before.body.string.contains("<title>Path across the network"))

            #expect(try await coordinator.post("/people/\(woman.id)/path-consent", ["given": "1"]).status == .seeOther)
            let shown = try await coordinator.get(path).body.string
            #expect(shown.contains("Сарай убакыт банкы") && shown.contains("«Жибек» тобу") && shown.contains("produces курага"))
            #expect(shown.contains("Китеп жүргүзүү") && shown.contains("Micro-finance") && shown.contains("Алиева Н."))
            for secret in ["Күн", "Жолдошу", "Domestic", "«Мээрим»", "referral", "Referral"] {
                #expect(!shown.contains(secret), "the path shows \(secret)")
            }
            let audit = try await AuditLog(db: app.db).list(entity: "person", page: .init())
            #expect(audit.items.contains { $0.entityID == woman.id && $0.changes.first?.field == "path_consent" && $0.changes.first?.to == "true" })

            // Those who may not read the registry never see it; she withdraws, and it is hidden again.
            for login in ["viewer", "member"] {
                let other = Browser(app)
                try await other.login(login, login == "member" ? Fixture.pin : Fixture.password)
                #expect(try await other.get(path).status == .forbidden, "\(login)")
            }
            #expect(try await coordinator.post("/people/\(woman.id)/path-consent", ["given": "0"]).status == .seeOther)
            #expect(!(try await coordinator.get(path).body.string.contains("Сарай убакыт банкы")))
        }
    }
}
