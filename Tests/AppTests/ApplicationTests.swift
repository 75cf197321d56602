@testable import App
import AsharNetwork
import Fluent
import Foundation
import Kernel
import Testing
import TimeBank
import Vapor
import VaporTesting

@Suite("Applying to join a time bank")
struct ApplicationTests {
    @Test("A woman applies on the public form; the office accepts her: she is registered and gets a member number")
    func applyAndAccept() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let visitor = Browser(app, acceptLanguage: "ky")
            let form = try await visitor.get("/timebanks/\(fixture.bank.id)/apply")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("Убакыт банкына кошулуу"))
            let bad = try await visitor.post("/timebanks/\(fixture.bank.id)/apply", ["full_name": "Aigul", "birth_year": "1800",
                                                                                     "village_id": fixture.village.id.uuidString])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await MembershipApplication.query(on: app.db).count() == 0)
            let sent = try await visitor.post("/timebanks/\(fixture.bank.id)/apply", [
                "full_name": "Токтосунова  Айгүл", "birth_year": "1988", "village_id": fixture.village.id.uuidString,
                "phone": "0555 222 333", "offers": "Той уюштурам", "consent": "on",
            ])
            #expect(sent.status == .ok)
            #expect(sent.body.string.contains("Рахмат!"))
            let peopleBefore = try await Person.query(on: app.db).count()

            let office = Browser(app, acceptLanguage: "ru")
            try await office.login("coordinator")
            let list = try await office.get("/timebanks/\(fixture.bank.id)/applications")
            #expect(list.body.string.contains("Токтосунова Айгүл") && list.body.string.contains("Той уюштурам"))
            let application = try #require(try await ApplicationService(db: app.db).pending(fixture.bank.id).first)
            #expect(try await office.post("/timebanks/\(fixture.bank.id)/applications/\(application.id)/accept", [:]).status == .seeOther)
            #expect(try await Person.query(on: app.db).count() == peopleBefore + 1)
            let members = try await TimeBankService(db: app.db).allMembers(fixture.bank.id)
            #expect(members.count == 1 && members[0].memberNumber == "0001")
            #expect(try await ApplicationService(db: app.db).pending(fixture.bank.id).isEmpty)
            #expect(try await office.post("/timebanks/\(fixture.bank.id)/applications/\(application.id)/decline", [:]).status == .conflict)
        }
    }

    @Test("An applicant who looks like someone in the registry: the office says whether it is her")
    func recogniseHer() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            // Асанова Гүлнара, born 1980 in Сарай, is in the registry already.
            let applications = ApplicationService(db: app.db)
            let application = try await applications.apply(fixture.bank.id, PersonDraft(fullName: "Асанова Гулнара", sex: .female, birthYear: 1980,
                                                                                         villageID: fixture.village.id), offers: nil, consent: true)
            let office = Browser(app, acceptLanguage: "en")
            try await office.login("coordinator")
            _ = try await office.get("/timebanks/\(fixture.bank.id)/applications")
            let asked = try await office.post("/timebanks/\(fixture.bank.id)/applications/\(application.id)/accept", [:])
            #expect(asked.status == .conflict)
            #expect(asked.body.string.contains("She may already be in the registry"))
            let peopleBefore = try await Person.query(on: app.db).count()
            #expect(try await office.post("/timebanks/\(fixture.bank.id)/applications/\(application.id)/accept",
                                          ["person_id": fixture.member.id.uuidString]).status == .seeOther)
            #expect(try await Person.query(on: app.db).count() == peopleBefore)
            let member = try #require(try await TimeBankService(db: app.db).allMembers(fixture.bank.id).first)
            #expect(member.personID == fixture.member.id && member.memberNumber == "СР-001")
            // Without the consent box, nothing is kept.
            await #expect(throws: DomainError.self) {
                try await applications.apply(fixture.bank.id, PersonDraft(fullName: "Бакирова Асель", sex: .female, birthYear: 1991,
                                                                           villageID: fixture.village.id), offers: nil, consent: false)
            }
        }
    }
}
