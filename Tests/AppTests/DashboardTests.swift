import AsharNetwork
import DemoData
import Fluent
import Training
import TimeBank
import Kernel
@testable import Needs
import Partnerships
import SQLKit
import Producers
import Foundation
import Testing
import VaporTesting
@testable import App

@Suite("Dashboard and indicators")
struct DashboardTests {
    @Test("Coordinators and the monitoring officer read the indicators, page, CSV and API alike; a member does not")
    func readers() async throws {
        try await withAshar { app, fixture in
            // One consultation in the fixture's district, so that one district did something this year.
            let centre = try await Factories(db: app.db).organisation("Ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: fixture.village)
            _ = try await TrainingService(db: app.db).consult(ConsultationDraft(organisationID: centre.id, personID: fixture.member.id, topic: .startup,
                                                                               heldOn: "2026-03-02", advisor: "А."), by: .system)
            let viewer = Browser(app, acceptLanguage: "ru")
            try await viewer.login("viewer")
            let page = try await viewer.get("/dashboard?from=2026-01-01&to=2026-12-31")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Охвачено людей") && page.body.string.contains("Карасуйский район"))
            #expect(page.body.string.contains("Консультации: по периодам") && page.body.string.contains("Экономия на совместных закупках"))
            let csv = try await viewer.get("/dashboard.csv?from=2026-01-01&to=2026-12-31")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("Показатель,Единица,Вся сеть,Карасуйский район\r\n") && csv.body.string.contains("Консультации,число,1,1\r\n"))
            // One indicator over time: a row per quarter, then the whole period.
            let quarters = try await viewer.get("/dashboard.csv?from=2026-01-01&to=2026-12-31&by=quarter&indicator=consultations").body.string
            #expect(quarters == "\u{FEFF}Период,Вся сеть (число),Карасуйский район\r\n1 кв. 2026,1,1\r\n2 кв. 2026,0,0\r\n3 кв. 2026,0,0\r\n4 кв. 2026,0,0\r\n"
                    + "2026-01-01 – 2026-12-31,1,1\r\n")
            #expect(try await viewer.get("/dashboard.csv?indicator=nonsense").status == .notFound)
            let english = Browser(app, acceptLanguage: "en")
            try await english.login("viewer")
            let report = try await english.get("/donor-report?from=2026-01-01&to=2026-12-31").body.string
            #expect(report.contains("Report of the regional service network") && report.contains("Period: 2026-01-01 — 2026-12-31"))
            #expect(report.contains("Consultations</span> <strong>1</strong>") && report.contains("by where the woman lives"))
            let api = try await APIClient.forUser("coordinator", on: app)
            let body = try api.json(try await api.send(.GET, "/indicators?from=2026-01-01&to=2026-12-31"))
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.count == 18 && body["total"] as? Int == 18)
            #expect((items.first { $0["code"] as? String == "time-bank-members" }?["total"] as? [String: Any])?["value"] as? Int == 0)
            #expect(try await api.send(.GET, "/indicators?from=2026-02-30").status == .unprocessableEntity)
            let member = try await APIClient.forUser("member", on: app)
            #expect(try await member.send(.GET, "/indicators").status == .forbidden)
            let memberBrowser = Browser(app)
            try await memberBrowser.login("member", Fixture.pin)
            #expect(try await memberBrowser.get("/dashboard").status == .forbidden)
        }
    }

    @Test("A serving Ashar counts the survey's needs by district as it starts, so the first to open the dashboard does not wait for it")
    func needsCountedAtStart() async throws {
        try await withAshar { app, _ in
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: NeedCoverage.baselineForm))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 50))], source: .kobo, by: .system)
            let key = try await AnswerCounts.Key.needsByDistrict(of: baseline.id, on: app.db)
            #expect(AnswerCounts.kept(key) == nil)
            app.startRepeatingWork()
            var kept: [AnswerCount]?
            for _ in 0..<600 where kept == nil {  // up to 30 s: a full parallel run on PostgreSQL slows everything
                try await Task.sleep(for: .milliseconds(50))
                kept = AnswerCounts.kept(key)
            }
            // Each of the 50 women counted once, by the needs she named and her district.
            let counted = try #require(kept)
            #expect(Set(counted.compactMap(\.column)).count > 1 && counted.map(\.count).reduce(0, +) == 50)
        }
    }

    @Test("After an import through the API the survey's needs are counted again at once, not when the dashboard is next opened")
    func needsCountedAfterImport() async throws {
        try await withAshar { app, _ in
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: NeedCoverage.baselineForm))
            let api = try await APIClient.forUser("coordinator", on: app)
            let imported = try await api.send(.POST, "/forms/\(baseline.id)/imports?source=kobo",
                                              body: try DemoSurvey.baselineExport(count: 40), contentType: "text/csv")
            #expect(imported.status == .created)
            let key = try await AnswerCounts.Key.needsByDistrict(of: baseline.id, on: app.db)
            var kept: [AnswerCount]?
            for _ in 0..<600 where kept == nil {  // up to 30 s: a full parallel run on PostgreSQL slows everything
                try await Task.sleep(for: .milliseconds(50))
                kept = AnswerCounts.kept(key)
            }
            #expect(try #require(kept).map(\.count).reduce(0, +) == 40)
        }
    }
}

@Suite("The coordinator's day")
struct CoordinatorHomeTests {
    @Test("Her home page gathers an exchange a member recorded that waits for staff, from the time bank she runs")
    func claimsWaiting() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let other = try await Factories(db: app.db).person("Бекова Нуриза", in: fixture.village)
            let a = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: fixture.member.id, by: .system)
            let b = try await TimeBankService(db: app.db).join(fixture.bank.id, personID: other.id, by: .system)
            _ = try await ClaimService(db: app.db).submit(ClaimDraft(bankID: fixture.bank.id, claimantID: a.id, otherID: b.id, direction: .gave,
                                                                     minutes: 60, serviceDate: BishkekCalendar.day(of: Date())), by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let home = try await browser.get("/").body.string
            #expect(home.contains("1 exchange recorded by a member waits for confirmation"))
            #expect(home.contains("/timebanks/\(fixture.bank.id)/claims"))
        }
    }

    @Test("For the producer group she runs: a joint purchase closing soon, equipment to hand over today and equipment due back")
    func groupDay() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let group = try await make.organisation("«Жибек» тобу", kind: .producerGroup, in: fixture.village)
            _ = try await ProducerGroupService(db: app.db).open(group.id, by: .system)
            let coordinator = try #require(try await UserService(db: app.db).credentials(for: "coordinator")?.user)
            try await UserService(db: app.db).grant(coordinator.id, role: .coordinator, organisationID: group.id, by: .system)
            var members: [ProducerMemberRecord] = []
            for name in ["Алиева Жамиля", "Бекова Нуриза"] {
                members.append(try await ProducerGroupService(db: app.db).join(group.id, personID: try await make.person(name, in: fixture.village).id,
                                                                                produces: "өрүк", by: .system))
            }
            _ = try await PurchaseRoundService(db: app.db).create(group.id, supplierID: nil, deadline: Date().addingTimeInterval(86_400), allocation: .firstCome, by: .system)
            let equipment = EquipmentService(db: app.db)
            let drier = try await equipment.add(group.id, name: "Кургаткыч", roundID: nil, fee: 0, unit: .day, contributions: [:], by: .system)
            let today = BishkekCalendar.day(of: Date())
            _ = try await equipment.book(drier.id, member: members[0].id, from: today, to: BishkekCalendar.adding(days: 1, to: today), by: .system)
            let press = try await equipment.add(group.id, name: "Пресс", roundID: nil, fee: 0, unit: .day, contributions: [:], by: .system)
            let out = try await equipment.book(press.id, member: members[1].id, from: BishkekCalendar.adding(days: -3, to: today),
                                               to: BishkekCalendar.adding(days: -1, to: today), by: .system)
            _ = try await equipment.handOver(out.id, condition: "Таза", by: .system)
            // Booked for later: nothing to do today.
            _ = try await equipment.book(press.id, member: members[0].id, from: BishkekCalendar.adding(days: 5, to: today),
                                         to: BishkekCalendar.adding(days: 6, to: today), by: .system)

            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let home = try await browser.get("/").body.string
            #expect(home.contains("1 joint purchase closes within three days"))
            #expect(home.contains("1 booked item of equipment to hand over today"))
            #expect(home.contains("1 item of equipment due back"))
            #expect(home.contains("/producer-groups/\(group.id)/equipment"))
        }
    }
}

extension AnswerCounts.Key {
    /// The key of the dashboard's table of the baseline survey: needs by district, at the form's version now.
    static func needsByDistrict(of form: UUID, on db: any Database) async throws -> Self {
        Self(form: form, version: try await AnswerCounts.version(of: form, on: db as! any SQLDatabase),
             recipe: .init(row: .init(question: NeedCoverage.baselineNeeds, inEntry: false), column: .init(question: "district", inEntry: false),
                           weight: nil, entries: nil))
    }
}
