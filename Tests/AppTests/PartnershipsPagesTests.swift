import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Needs
import Partnerships
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
}
