import AsharNetwork
import DemoData
import Fluent
import Foundation
import Partnerships
import Referrals
import Testing
import TimeBank
import VaporTesting
@testable import App

@Suite("Who offers what where")
struct DirectoryTests {
    @Test("Anyone finds the network's organisations and their services in any language; never a person, nor a help centre's village; staff see contacts")
    func publicAndStaff() async throws {
        try await withAshar { app, fixture in
            _ = try await HoneyGroup.make(app, fixture)
            // The time bank's member offers childcare; the help centre gives legal aid.
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let member = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: fixture.member.id, by: .system)
            let childcare = try #require(try await CategoryService(db: app.db).available(to: fixture.bank.id).first { $0.code == "childcare" })
            _ = try await BoardService(db: app.db).post(fixture.bank.id, ListingDraft(memberID: member.id, kind: .offer, categoryID: childcare.id,
                                                                                     description: "Балдарды карайм"), by: .system)
            _ = try await DirectoryService(db: app.db).create(HelpServiceDraft(organisationID: fixture.helpCentre.id, provider: fixture.helpCentre.name,
                                                                               kind: .legalAid, districtIDs: [fixture.village.districtID!]), by: .system)
            // A partner who is a person: an expert under an agreement in force.
            let stakeholders = StakeholderService(db: app.db)
            let expert = try await stakeholders.create(StakeholderDraft(name: "Жапарова Айнура", isPerson: true, sector: .ngo, influence: 2, interest: 4), by: .system)
            let akimat = try await stakeholders.create(StakeholderDraft(name: "Сарай айыл өкмөтү", sector: .localGovernment, influence: 4, interest: 3), by: .system)
            let agreement = try await AgreementService(db: app.db).create(AgreementDraft(
                title: "Кеңеш берүү", cooperation: [.expertise], status: .active, signedOn: "2026-01-10",
                parties: [PartyDraft(stakeholderID: expert.id), PartyDraft(stakeholderID: akimat.id)]), by: .system)
            _ = try await AgreementService(db: app.db).addService(to: agreement.id, stakeholder: expert.id, service: .psychological,
                                                                 district: fixture.village.districtID!, by: .system)

            let visitor = Browser(app, acceptLanguage: "ru")
            let page = try await visitor.get("/directory")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("«Таттуу бал» өндүрүүчүлөр тобу") && html.contains("Горный мёд"))
            #expect(html.contains("Присмотр за детьми") && html.contains("Юридическая помощь"))
            #expect(!html.contains("Жапарова Айнура") && !html.contains("Психологическая помощь"))   // a person: staff only
            #expect(!html.contains("Асанова Гүлнара") && !html.contains(">Контакты<"))
            let helpRow = try #require(html.components(separatedBy: "<tr>").first { $0.contains("«Мээрим»") })
            #expect(!helpRow.contains("Сарай") && helpRow.contains("район"))   // the district, not the village

            // Searched in English on a Russian page, in Kyrgyz, by place; a word from nowhere finds nothing.
            func found(_ q: String) async throws -> [String] {
                let body = try await visitor.get("/directory?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")).body.string
                return body.components(separatedBy: "<strong>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            }
            #expect(try await found("legal aid") == ["«Мээрим» аялдарга жардам борбору"])
            #expect(try await found("тоо балы") == ["«Таттуу бал» өндүрүүчүлөр тобу"])
            #expect(try await found("мёд Кара-Суу") == ["«Таттуу бал» өндүрүүчүлөр тобу"])
            #expect(try await found("childcare").contains("Сарай убакыт банкы"))
            #expect(try await found("космонавт").isEmpty)
            #expect(try await visitor.get("/directory?district=\(UUID())").body.string.contains("Ничего не найдено"))

            // The same, as JSON, without a login: each service named in the three languages.
            let anonymous = APIClient(app: app, token: nil)
            let legal = try anonymous.json(try await anonymous.send(.GET, "/public/directory?q=legal%20aid"))
            let items = try #require(legal["items"] as? [[String: Any]])
            #expect(legal["total"] as? Int == 1 && items.first?["name"] as? String == "«Мээрим» аялдарга жардам борбору")
            #expect(items.first?["villageId"] == nil && (items.first?["districtIds"] as? [String]) == [fixture.village.districtID!.uuidString])
            let offer = try #require((items.first?["offers"] as? [[String: Any]])?.first)
            #expect(offer["type"] as? String == "help-service" && offer["nameEn"] as? String == "Legal aid" && offer["nameRu"] as? String == "Юридическая помощь")
            let everything = try anonymous.json(try await anonymous.send(.GET, "/public/directory?per=200"))
            #expect(!String(describing: everything).contains("Жапарова"))
            #expect(try await anonymous.send(.GET, "/public/directory?districtId=Сарай").status == .unprocessableEntity)

            let coordinator = Browser(app, acceptLanguage: "ru")
            try await coordinator.login("coordinator")
            let staff = try await coordinator.get("/directory").body.string
            #expect(staff.contains("Жапарова Айнура") && staff.contains("Психологическая помощь") && staff.contains(">Контакты<"))
            #expect(staff.contains(#"href="/directory" aria-current="page""#))
        }
    }

    @Test("Kept in memory between views, the directory shows each change of a bank's offers, a help service, a partner's service or an organisation at the next view")
    func keptUntilChanged() async throws {
        try await withAshar { app, fixture in
            let visitor = Browser(app, acceptLanguage: "ru")
            func page() async throws -> String { try await visitor.get("/directory").body.string }
            #expect(try await page().contains("Сарай убакыт банкы"))
            #expect(try await !page().contains("Присмотр за детьми"))

            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let member = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: fixture.member.id, by: .system)
            let childcare = try #require(try await CategoryService(db: app.db).available(to: fixture.bank.id).first { $0.code == "childcare" })
            let listing = try await BoardService(db: app.db).post(fixture.bank.id, ListingDraft(memberID: member.id, kind: .offer, categoryID: childcare.id,
                                                                                               description: "Балдарды карайм"), by: .system)
            #expect(try await page().contains("Присмотр за детьми"))
            try await BoardService(db: app.db).close(listing.id, in: fixture.bank.id, by: .system)
            #expect(try await !page().contains("Присмотр за детьми"))

            _ = try await DirectoryService(db: app.db).create(HelpServiceDraft(organisationID: fixture.helpCentre.id, provider: fixture.helpCentre.name,
                                                                               kind: .legalAid, districtIDs: [fixture.village.districtID!]), by: .system)
            #expect(try await page().contains("Юридическая помощь"))

            let stakeholders = StakeholderService(db: app.db)
            let fund = try await stakeholders.create(StakeholderDraft(name: "«Ынтымак» коомдук фонду", sector: .ngo, influence: 3, interest: 4), by: .system)
            let akimat = try await stakeholders.create(StakeholderDraft(name: "Сарай айыл өкмөтү", sector: .localGovernment, influence: 4, interest: 3), by: .system)
            let agreement = try await AgreementService(db: app.db).create(AgreementDraft(
                title: "Кеңеш берүү", cooperation: [.expertise], status: .active, signedOn: "2026-01-10",
                parties: [PartyDraft(stakeholderID: fund.id), PartyDraft(stakeholderID: akimat.id)]), by: .system)
            #expect(try await !page().contains("«Ынтымак» коомдук фонду"))
            _ = try await AgreementService(db: app.db).addService(to: agreement.id, stakeholder: fund.id, service: .psychological,
                                                                 district: fixture.village.districtID!, by: .system)
            #expect(try await page().contains("«Ынтымак» коомдук фонду"))

            let organisations = OrganisationService(db: app.db)
            let bank = try await organisations.get(fixture.bank.id)
            _ = try await organisations.update(bank.id, OrganisationDraft(name: "Сарай айылынын убакыт банкы", kind: bank.kind, districtID: bank.districtID,
                                                                          villageID: bank.villageID, inNetwork: true), by: .system)
            let renamed = try await page()
            #expect(renamed.contains("Сарай айылынын убакыт банкы") && !renamed.contains("Сарай убакыт банкы"))
        }
    }
}
