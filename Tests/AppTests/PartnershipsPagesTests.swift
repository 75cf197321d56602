import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Needs
import Partnerships
import Reporting
import Testing
import VaporTesting
@testable import App

@Suite("Stakeholder and agreement pages")
struct PartnershipsPagesTests {
    @Test("A coordinator maps stakeholders (the grid drawn from them), signs an agreement, adds an obligation and a service, marks it met")
    func pages() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app, acceptLanguage: "ky")
            try await browser.login("coordinator")
            let empty = try await browser.get("/stakeholders")
            #expect(empty.status == .ok)
            #expect(empty.body.string.contains("Кызыкдар тараптар"))
            let refused = try await browser.post("/stakeholders", ["name": "", "sector": "ngo", "influence": "3", "interest": "3"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Аталышын же атын жазыңыз."))
            #expect(try await browser.post("/stakeholders", ["name": "Кара-Суу акимиаты", "sector": "local_government", "influence": "5", "interest": "4",
                                                             "district_id": try #require(fixture.village.districtID).uuidString]).status == .seeOther)
            #expect(try await browser.post("/stakeholders", ["name": "«Эпкин» КБ", "sector": "ngo", "influence": "2", "interest": "5"]).status == .seeOther)
            let map = try await browser.get("/stakeholders")
            #expect(map.body.string.contains("<svg"))
            #expect(map.body.string.contains("Тыгыз кызматташуу"))

            let stakeholders = try await StakeholderService(db: app.db).all()
            let created = try await browser.post("/agreements", [
                "title": "Окутуу боюнча макулдашуу", "status": "active", "signed_on": "2026-01-15", "valid_until": "2026-12-31",
                "parties[0]": stakeholders[0].id.uuidString, "parties[1]": stakeholders[1].id.uuidString, "cooperation[0]": "training",
            ])
            #expect(created.status == .seeOther)
            let page = try #require(created.headers.first(name: .location))
            #expect(try await browser.post(page + "/obligations", ["stakeholder_id": stakeholders[1].id.uuidString, "what": "Отчёт",
                                                                   "due_on": "2026-01-31", "recurrence": "once"]).status == .seeOther)
            #expect(try await browser.post(page + "/services", ["stakeholder_id": stakeholders[1].id.uuidString, "service": "training",
                                                                "district_id": try #require(fixture.village.districtID).uuidString]).status == .seeOther)
            let shown = try await browser.get(page)
            #expect(shown.body.string.contains("мөөнөтү өттү"))  // overdue
            #expect(shown.body.string.contains("Окутуу"))
            let list = try await browser.get("/agreements")
            #expect(list.body.string.contains("Мөөнөтү өткөн милдеттенмелер"))
            let home = try await browser.get("/")
            #expect(home.body.string.contains("Өнөктөштөрдүн 1 милдеттенмесинин мөөнөтү өттү"))
            let agreement = try #require(try await AgreementService(db: app.db).agreements(page: .init()).items.first)
            let obligation = try #require(agreement.obligations.first)
            #expect(try await browser.post(page + "/obligations/\(obligation.id)", ["status": "done", "evidence": "Алынды"]).status == .seeOther)
            #expect(try await AgreementService(db: app.db).agreement(agreement.id).obligations.first?.status == .done)

            // Needs meet services: Kara-Suu's women name income, and training answers it there now.
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: "ashar_baseline_needs"))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 200))], source: .kobo, by: .system)
            let gaps = try await browser.get("/needs-gaps")
            #expect(gaps.status == .ok)
            let karaSuu = try #require(gaps.body.string.components(separatedBy: "<h2>").first { $0.hasPrefix("Кара-Суу</h2>") })
            #expect(karaSuu.contains("Окутуу"))  // training, delivered there under the agreement
            #expect(karaSuu.contains(">жок<"))    // water: no one serves it

            let viewer = Browser(app)
            try await viewer.login("viewer")
            #expect(try await viewer.get("/agreements").status == .forbidden)
        }
    }

    @Test("Needs meet services by district and village; a coordinator changes what answers a need, and the gaps follow; a made-up service changes nothing")
    func needsAndServices() async throws {
        try await withAshar { app, fixture in
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: NeedCoverage.baselineForm))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 300))], source: .kobo, by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            func karaSuu() async throws -> (district: String, village: String) {
                let page = try await browser.get("/needs-gaps")
                #expect(page.status == .ok)
                let block = try #require(page.body.string.components(separatedBy: "<h2>").first { $0.hasPrefix("Kara-Suu</h2>") })
                let village = try #require(block.components(separatedBy: "<tr>").first { $0.contains(">Сарай<") })
                return (block, village)
            }
            let before = try await karaSuu()
            let district = try #require(fixture.village.districtID)
            let needsBefore = try #require(try await NeedsCoverageReport(db: app.db).byDistrict()[district])
            #expect(needsBefore.served > 0 && needsBefore.unserved > 0)
            // The help centre in Сарай answers safety in all of Kara-Suu; nothing answers water.
            #expect(before.district.contains("Help centre for women"))
            #expect(before.district.contains(">none<"))
            #expect(before.village.contains("Drinking or irrigation water ("))
            #expect(!before.village.contains("Safety at home ("))

            let map = try await browser.get("/needs-gaps/services")
            #expect(map.status == .ok)
            #expect(map.body.string.contains(#"value="organisation:help_centre" checked"#))
            let bogus = try await browser.post("/needs-gaps/services", ["need": "water", "refs[0]": "category:\(UUID().uuidString)"])
            #expect(bogus.status == .unprocessableEntity)
            #expect(bogus.body.string.contains("no longer exists"))
            #expect(try await NeedCoverageService(db: app.db).mapping(formKey: NeedCoverage.baselineForm)["water"] == nil)

            // The time bank in Сарай takes on water (women carrying it for each other): served there now.
            let saved = try await browser.post("/needs-gaps/services", ["need": "water", "refs[0]": "organisation:time_bank"])
            #expect(saved.status == .seeOther)
            #expect(try await browser.get(try #require(saved.headers.first(name: .location))).body.string.contains("Saved: what answers"))
            let after = try await karaSuu()
            #expect(!after.village.contains("Drinking or irrigation water ("))
            // The network's indicator follows: the women of Kara-Suu who named water count as served now.
            let needsAfter = try #require(try await NeedsCoverageReport(db: app.db).byDistrict()[district])
            #expect(needsAfter.served > needsBefore.served && needsAfter.unserved < needsBefore.unserved)
            #expect(needsAfter.served + needsAfter.unserved == needsBefore.served + needsBefore.unserved)
            #expect(after.district.contains("Time bank"))
            let audit = try await AuditLog(db: app.db).list(entity: "need_services", page: .init())
            #expect(audit.items.first?.changes.first?.to == "organisation:time_bank")

            let caseworker = Browser(app)
            try await caseworker.login("caseworker")
            #expect(try await caseworker.get("/needs-gaps").status == .ok)
            #expect(try await caseworker.get("/needs-gaps/services").status == .forbidden)
        }
    }
}
