import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Needs
import Testing
import VaporTesting
@testable import App

@Suite("Survey form pages")
struct FormsPagesTests {
    @Test("A coordinator imports a form and reads its questions in Kyrgyz; a malformed one lists its problems by sheet and row")
    func importAndRead() async throws {
        try await withAshar { app, _ in
            let browser = Browser(app, acceptLanguage: "ky")
            try await browser.login("coordinator")
            let list = try await browser.get("/forms")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("Сурамжылоо формалары"))
            #expect(list.body.string.contains("Муктаждыктарды баштапкы изилдөө"))  // the baseline, in every installation
            let download = try await browser.get("/forms/baseline-needs-survey.csv")
            #expect(download.headers.contentType?.subType == "csv")
            #expect(download.body.string.contains("ashar_baseline_needs"))

            let bad = try await browser.upload("/forms", file: "survey,type,name,label\n,integer,age,Age\n,selekt_one x,colour,Colour\n", named: "bad.csv")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("survey барагы, 3-сап"))
            #expect(bad.body.string.contains("Белгисиз суроо түрү «selekt_one x»"))

            let form = String(decoding: try FormsAPITests.fixture("household-form.csv"), as: UTF8.self)
            let imported = try await browser.upload("/forms", file: form, named: "household.csv")
            #expect(imported.status == .seeOther)
            let location = try #require(imported.headers.first(name: .location))
            let page = try await browser.get(location)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Үй-бүлөнүн кирешеси кайдан келет?"))
            #expect(page.body.string.contains("Бир нече тандоо + башка"))
            #expect(page.body.string.contains("11 суроо"))
            #expect(try await browser.get("/forms").body.string.contains(location))
        }
    }

    @Test("A member sees no forms; a caseworker reads them but cannot import")
    func access() async throws {
        try await withAshar { app, _ in
            let member = Browser(app)
            try await member.login("member", Fixture.pin)
            #expect(try await member.get("/forms").status == .forbidden)
            let caseworker = Browser(app)
            try await caseworker.login("caseworker")
            let list = try await caseworker.get("/forms")
            #expect(list.status == .ok)
            #expect(!list.body.string.contains(#"enctype="multipart/form-data""#))
            #expect(try await caseworker.upload("/forms", file: "survey,type,name\n,text,a\n", named: "a.csv").status == .forbidden)
        }
    }
}

@Suite("Survey entry, imports and analysis pages")
struct SurveyPagesTests {
    static func householdForm(_ app: Application) async throws -> String {
        let api = try await APIClient.forUser("admin", on: app)
        let created = try await api.send(.POST, "/forms", body: try FormsAPITests.fixture("household-form.csv"), contentType: "text/csv")
        return try #require(try api.json(created)["id"] as? String)
    }

    @Test("Web entry: problems beside their questions in Russian, answers kept; then saved once, however often it is sent")
    func entry() async throws {
        try await withAshar { app, _ in
            let form = try await Self.householdForm(app)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("caseworker")
            let page = try await browser.get("/forms/\(form)/fill")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Откуда доходы домохозяйства?"))
            #expect(page.body.string.contains("data-relevant="))  // the script hides what is not relevant
            #expect(page.body.string.contains("/js/survey.js"))
            let instance = "web-\(UUID().uuidString)"
            var answers = ["instance": instance, "a.household_size": "4", "a.children": "7", "a.income_sources": "trade",
                           "a.remittances": "yes", "a.interview_date": "2026-11-20", "r.member.1.member_age": "38"]
            let refused = try await browser.post("/forms/\(form)/fill", answers)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Fewer than the household"))  // the form's own constraint message
            #expect(refused.body.string.contains("value=\"38\""))  // nothing typed is lost
            answers["a.children"] = "1"
            let saved = try await browser.post("/forms/\(form)/fill", answers)
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/forms/\(form)/fill?saved=\(instance)")
            let again = try await browser.post("/forms/\(form)/fill", answers)
            #expect(again.status == .seeOther)
            let stored = try await SubmissionService(db: app.db).submissions(form: try #require(UUID(uuidString: form)), page: PageQuery())
            #expect(stored.total == 1)
            #expect(stored.items.first?.answers.repeats["member"]?.first?["member_age"] == "38")
            #expect(stored.items.first?.source == .web)
        }
    }

    @Test("An interview from the offline queue: answered in JSON, its problems to resolve; sent again, stored once")
    func queuedInterview() async throws {
        try await withAshar { app, _ in
            let form = try await Self.householdForm(app)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("caseworker")
            let page = try await browser.get("/forms/\(form)/fill").body.string
            #expect(page.contains(#"data-offline="survey:\#(form)""#) && page.contains(#"id="outbox""#))
            var answers = ["instance": "made-offline-\(UUID().uuidString)", "a.household_size": "4", "a.children": "7", "a.income_sources": "trade",
                           "a.remittances": "yes", "a.interview_date": "2026-11-20", "r.member.1.member_age": "38"]
            let queued = [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)]
            func send() async throws -> (HTTPStatus, [String: Any]) {
                let response = try await browser.post("/forms/\(form)/fill", answers, headers: queued)
                return (response.status, try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]))
            }
            let (refusedStatus, refused) = try await send()
            #expect(refusedStatus == .unprocessableEntity && refused["booked"] as? Int == 0)
            let errors = try #require((refused["refused"] as? [[String: Any]])?.first?["errors"] as? [String])
            #expect(errors.contains { $0.contains("Fewer than the household") })
            answers["a.children"] = "1"
            for _ in 0..<2 {
                let (status, answer) = try await send()
                #expect(status == .ok && answer["booked"] as? Int == 1 && (answer["refused"] as? [Any])?.isEmpty == true)
            }
            #expect(try await SubmissionService(db: app.db).submissions(form: try #require(UUID(uuidString: form)), page: PageQuery()).total == 1)
        }
    }

    @Test("A coordinator imports an export from the form's page: the count, or each problem with file and line and nothing stored")
    func importPage() async throws {
        try await withAshar { app, _ in
            let form = try await Self.householdForm(app)
            let browser = Browser(app, acceptLanguage: "ky")
            try await browser.login("coordinator")
            let kobo = String(decoding: try FormsAPITests.fixture("household-kobo.csv"), as: UTF8.self)
            let done = try await browser.upload("/forms/\(form)/imports", file: kobo, named: "kobo.csv", field: "files[]", fields: ["source": "kobo"])
            #expect(done.status == .ok)
            #expect(done.body.string.contains("4 анкета жүктөлдү."))
            #expect(done.body.string.contains("4 анкета"))
            let bad = try await browser.upload("/forms/\(form)/imports", file: kobo.replacingOccurrences(of: "\"2025-03-06\"", with: "\"06.03.2025\""),
                                               named: "kobo-2.csv", field: "files[]", fields: ["source": "kobo"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("kobo-2.csv, 6-сап"))
            let caseworker = Browser(app)
            try await caseworker.login("caseworker")
            #expect(try await caseworker.upload("/forms/\(form)/imports", file: kobo, named: "k.csv", field: "files[]", fields: ["source": "kobo"]).status == .forbidden)
        }
    }

    @Test("Analysis pages: frequencies with chart and intervals, a cross-tab by district with its ranking, CSV beside each, for a donor too")
    func analysis() async throws {
        try await withAshar { app, _ in
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: "ashar_baseline_needs"))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 120))], source: .kobo, by: .system)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("viewer")
            let frequencies = try await browser.get("/forms/\(baseline.id)/analysis?question=needs")
            #expect(frequencies.status == .ok)
            #expect(frequencies.body.string.contains("<svg"))
            #expect(frequencies.body.string.contains("Ответили 120 респонденток"))
            #expect(frequencies.body.string.contains("% упоминаний"))
            let crosstab = try await browser.get("/forms/\(baseline.id)/analysis?question=needs&by=district")
            #expect(crosstab.body.string.contains("Рейтинг по столбцам"))
            #expect(crosstab.body.string.contains("Кара-Суу"))
            #expect(crosstab.body.string.contains(#"class="chart heat""#))
            #expect(crosstab.body.string.contains("Чем темнее клетка"))
            let csv = try await browser.get("/forms/\(baseline.id)/analysis.csv?question=needs&by=district")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("Безопасность дома,Кара-Суу,"))
            let wrong = try await browser.get("/forms/\(baseline.id)/analysis?question=needs&by=colour")
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("«colour» — не вопрос этой формы"))
        }
    }

    @Test("A coordinator lists the submissions, reads one, and links it to the woman only with her consent and how she gave it; others cannot see them")
    func submissionsAndConsent() async throws {
        try await withAshar { app, fixture in
            let baseline = try #require(try await FormService(db: app.db).latest(formKey: "ashar_baseline_needs"))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 12))], source: .kobo, by: .system)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            let list = try await browser.get("/forms/\(baseline.id)/submissions")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("KoboToolbox"))
            let first = try #require(try await SubmissionService(db: app.db).submissions(form: baseline.id, page: .init()).items.first)
            let path = "/forms/\(baseline.id)/submissions/\(first.id)"
            #expect(list.body.string.contains(path))
            _ = try await browser.get(path)
            let shown = try await browser.post(path + "/person-search", ["q": "Асанова"])
            #expect(shown.body.string.contains("Анонимна"))
            #expect(shown.body.string.contains("Асанова Гүлнара"))
            #expect(shown.body.string.contains("Что больше всего нужно вашему домохозяйству?"))

            let refused = try await browser.post(path + "/respondent", ["person_id": fixture.member.id.uuidString, "consent_method": "written"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("только с её записанным согласием"))
            #expect(try await SubmissionService(db: app.db).submission(first.id).personID == nil)

            let linked = try await browser.post(path + "/respondent", ["person_id": fixture.member.id.uuidString, "consent": "1", "consent_method": "written"])
            #expect(linked.status == .seeOther)
            let after = try await browser.get(path)
            #expect(after.body.string.contains("Асанова Гүлнара"))
            #expect(after.body.string.contains("Согласие дано письменно"))
            #expect(!(after.body.string.components(separatedBy: "</title>").first ?? "").contains("Асанова"))
            #expect(try await SubmissionService(db: app.db).submission(first.id).consent?.method == .written)

            for login in ["viewer", "caseworker"] {
                let other = Browser(app)
                try await other.login(login)
                #expect(try await other.get("/forms/\(baseline.id)/submissions").status == .forbidden)
                #expect(try await other.get(path).status == .forbidden)
            }
        }
    }
}
