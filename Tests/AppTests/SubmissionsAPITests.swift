import AsharNetwork
import Kernel
import DemoData
import Fluent
import Foundation
import Needs
import Testing
import VaporTesting
@testable import App

@Suite("Submissions and analysis API")
struct SubmissionsAPITests {
    static func householdForm(_ api: APIClient) async throws -> String {
        let created = try await api.send(.POST, "/forms", body: try FormsAPITests.fixture("household-form.csv"), contentType: "text/csv")
        return try #require(try api.json(created)["id"] as? String)
    }

    static func total(_ api: APIClient, _ form: String) async throws -> Int? {
        try api.json(try await api.send(.GET, "/forms/\(form)/submissions"))["total"] as? Int
    }

    @Test("POST /forms/{form}/imports?source=kobo|odk → 201 {imported, duplicates}; the ODK .zip joins its repeat; again, all duplicates")
    func imports() async throws {
        try await withAshar { app, _ in
            let api = try await APIClient.forUser("coordinator", on: app)
            let form = try await Self.householdForm(try await APIClient.forUser("admin", on: app))
            let kobo = try await api.send(.POST, "/forms/\(form)/imports?source=kobo", body: try FormsAPITests.fixture("household-kobo.csv"), contentType: "text/csv")
            #expect(kobo.status == .created)
            #expect(try api.json(kobo)["imported"] as? Int == 4 && api.json(kobo)["duplicates"] as? Int == 0)
            let odk = try await api.send(.POST, "/forms/\(form)/imports?source=odk", body: try FormsAPITests.fixture("household-odk.zip"), contentType: "application/zip")
            #expect(odk.status == .created)
            #expect(try api.json(odk)["imported"] as? Int == 2 && api.json(odk)["duplicates"] as? Int == 1)
            let again = try await api.send(.POST, "/forms/\(form)/imports?source=kobo", body: try FormsAPITests.fixture("household-kobo.csv"), contentType: "text/csv")
            #expect(try api.json(again)["imported"] as? Int == 0 && api.json(again)["duplicates"] as? Int == 4)
            let list = try api.json(try await api.send(.GET, "/forms/\(form)/submissions?per=10"))
            #expect(list["total"] as? Int == 6)
            let items = try #require(list["items"] as? [[String: Any]])
            let withMembers = try #require(items.first { $0["instanceID"] as? String == "uuid:a3c1e2f0-7b1d-4c55-8e2a-9d0f1b2c3d01" })
            #expect(((withMembers["repeats"] as? [String: Any])?["member"] as? [[String: String]])?.count == 4)
            #expect(withMembers["source"] as? String == "odk")
        }
    }

    @Test("An export of more than a megabyte imports under an Idempotency-Key; its replay is answered alike and stores nothing more; sent again, all duplicates; a JSON body over a megabyte is refused whole, key or not")
    func largeExportUnderKey() async throws {
        try await withAshar { app, _ in
            let forms = FormService(db: app.db)
            try await forms.importBaselineIfMissing(by: .system)
            let form = try #require(try await forms.latest(formKey: "ashar_baseline_needs")).id
            let export = try DemoSurvey.baselineExport(count: 3_000, first: 20_000_000)
            #expect(export.count > APIUploadLimits.json)
            let api = try await APIClient.forUser("coordinator", on: app)
            // Through a real server: in memory, a body comes whole and its size is never checked.
            let server = try app.testing(method: .running(port: 0))
            func send(_ path: String, _ body: Data, type: String, key: String) async throws -> TestingHTTPResponse {
                var headers = HTTPHeaders([("Idempotency-Key", key), ("Content-Type", type)])
                headers.bearerAuthorization = BearerAuthorization(token: try #require(api.token))
                return try await server.sendRequest(.POST, "/api/v1" + path, headers: headers, body: ByteBuffer(bytes: body))
            }
            for _ in 1...2 {
                let imported = try await send("/forms/\(form)/imports?source=kobo", export, type: "text/csv", key: "baseline-export-3000")
                #expect(imported.status == .created)
                #expect(try api.json(imported)["imported"] as? Int == 3_000)
            }
            #expect(try await Self.total(api, form.uuidString) == 3_000)
            // Sent again without a key: every answer found among those stored, a few hundred keys looked up at a time.
            let again = try await api.send(.POST, "/forms/\(form)/imports?source=kobo", body: export, contentType: "text/csv")
            #expect(try api.json(again)["imported"] as? Int == 0 && api.json(again)["duplicates"] as? Int == 3_000)
            // Past an operation's own limit, a body under a key is still refused whole.
            let tooLarge = try await send("/timebanks/\(UUID())/transfers", Data(count: APIUploadLimits.json + 1), type: "application/json", key: "too-large")
            #expect(tooLarge.status == .payloadTooLarge)
            // And without a key or a token: the generated code would read a JSON body whole before any check.
            let stranger = try await server.sendRequest(.POST, "/api/v1/timebanks/\(UUID())/transfers", headers: ["Content-Type": "application/json"],
                                                        body: ByteBuffer(bytes: Data(count: APIUploadLimits.json + 1)))
            #expect(stranger.status == .payloadTooLarge)
        }
    }

    @Test("Every upload's limit is kept under a route the API has")
    func uploadRoutes() async throws {
        try await withAshar { app, _ in
            let routes = Set(app.routes.all.map { "\($0.method.rawValue) \($0.path.string)" })
            #expect(APIUploadLimits.byRoute.count == 7)
            for route in APIUploadLimits.byRoute.keys { #expect(routes.contains(route), "\(route)") }
        }
    }

    @Test("A bad line: 422 with problems [{file, line, message}] in the user's language, and nothing stored")
    func badLine() async throws {
        try await withAshar { app, _ in
            let api = try await APIClient.forUser("admin", on: app)
            let form = try await Self.householdForm(api)
            var text = String(decoding: try FormsAPITests.fixture("household-kobo.csv"), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"2025-03-06\"", with: "\"06.03.2025\"")
            let refused = try await api.send(.POST, "/forms/\(form)/imports?source=kobo", body: Data(text.utf8), contentType: "text/csv", language: "ru")
            #expect(refused.status == .unprocessableEntity)
            let problems = try #require((try api.json(refused)["error"] as? [String: Any])?["problems"] as? [[String: Any]])
            #expect(problems.count == 1)
            #expect(problems[0]["line"] as? Int == 6)  // the line before holds a line break inside a cell
            #expect(problems[0]["file"] as? String == "export.csv")
            #expect(problems[0]["message"] as? String == "interview_date: «06.03.2025» — не дата (ГГГГ-ММ-ДД).")
            #expect(try await Self.total(api, form) == 0)

            let wrongSource = try await api.send(.POST, "/forms/\(form)/imports?source=excel", body: Data(text.utf8), contentType: "text/csv")
            #expect(wrongSource.status == .badRequest)
        }
    }

    @Test("POST /forms/{form}/submissions checks every rule: 422 naming each question; 201, then 200 for the same instance")
    func submitJSON() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("caseworker", on: app)
            let form = try await Self.householdForm(try await APIClient.forUser("admin", on: app))
            let wrong = #"{"answers": {"household_size": 3, "children": 5, "income_sources": ["trade", "fishing"], "remittances": "no"}}"#
            let refused = try await api.send(.POST, "/forms/\(form)/submissions", json: wrong)
            #expect(refused.status == .unprocessableEntity)
            let errors = try #require((try api.json(refused)["error"] as? [String: Any])?["errors"] as? [[String: Any]])
            #expect(Set(errors.compactMap { $0["field"] as? String }) == ["children", "income_sources", "interview_date"])

            let good = #"{"instanceID": "uuid:api-1", "answers": {"household_size": 3, "children": 1, "income_sources": ["trade"], "remittances": "no", "interview_date": "2026-11-20", "land_ha": 0.5}, "repeats": {"member": [{"member_age": 40}]}}"#
            let created = try await api.send(.POST, "/forms/\(form)/submissions", json: good)
            #expect(created.status == .created)
            let body = try api.json(created)
            #expect((body["answers"] as? [String: String])?["adults"] == "2")
            #expect((body["answers"] as? [String: String])?["land_ha"] == "0.5")
            #expect(body["respondentLinked"] as? Bool == false)
            let again = try await api.send(.POST, "/forms/\(form)/submissions", json: good)
            #expect(again.status == .ok)
            #expect(try api.json(again)["id"] as? String == body["id"] as? String)

            // Linking to the registry needs her consent.
            let coordinator = try await APIClient.forUser("coordinator", on: app)
            let id = try #require(body["id"] as? String)
            let noConsent = try await coordinator.send(.PUT, "/forms/\(form)/submissions/\(id)/respondent",
                                                       json: #"{"personId": "\#(fixture.member.id)", "consent": false}"#)
            #expect(noConsent.status == .unprocessableEntity)
            let linked = try await coordinator.send(.PUT, "/forms/\(form)/submissions/\(id)/respondent",
                                                    json: #"{"personId": "\#(fixture.member.id)", "consent": true}"#)
            #expect(linked.status == .noContent)
            let items = try #require(try coordinator.json(try await coordinator.send(.GET, "/forms/\(form)/submissions"))["items"] as? [[String: Any]])
            #expect(items.first?["respondentLinked"] as? Bool == true)

            // A caseworker collects but does not read others' submissions; a donor reads only counts.
            #expect(try await api.send(.GET, "/forms/\(form)/submissions").status == .forbidden)
            let viewer = try await APIClient.forUser("viewer", on: app)
            #expect(try await viewer.send(.POST, "/forms/\(form)/submissions", json: good).status == .forbidden)
            #expect(try await viewer.send(.GET, "/forms/\(form)/frequencies?question=remittances").status == .ok)
        }
    }

    @Test("GET frequencies and crosstab on the baseline survey: every category, shares with intervals, district and village columns")
    func analysis() async throws {
        try await withAshar { app, _ in
            let forms = FormService(db: app.db)
            let baseline = try #require(try await forms.latest(formKey: "ashar_baseline_needs"))
            _ = try await SubmissionService(db: app.db).importExport(
                form: baseline.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 300))], source: .kobo, by: .system)
            let api = try await APIClient.forUser("viewer", on: app)
            let freq = try api.json(try await api.send(.GET, "/forms/\(baseline.id)/frequencies?question=needs", headers: [("Accept-Language", "en")]))
            #expect(freq["question"] as? String == "needs" && freq["respondents"] as? Int == 300)
            let categories = try #require(freq["categories"] as? [[String: Any]])
            #expect(categories.map { $0["value"] as? String } == ["income", "water", "childcare", "health", "inputs", "market", "safety"])
            for category in categories {
                let (low, percent, high) = (category["ciLow"] as! Double, category["percent"] as! Double, category["ciHigh"] as! Double)
                #expect(low <= percent && percent <= high && category["mentionsPercent"] != nil)
            }
            let age = try api.json(try await api.send(.GET, "/forms/\(baseline.id)/frequencies?question=age"))
            #expect((age["summary"] as? [String: Any])?["min"] as? Double ?? 0 >= 18)

            let tab = try api.json(try await api.send(.GET, "/forms/\(baseline.id)/crosstab?row=needs&column=district"))
            let columns = try #require(tab["columns"] as? [[String: String]])
            #expect(columns.map { $0["value"] } == ["alamudun", "sokuluk", "ysyk_ata", "chui", "kara_suu", "nookat", "ozgon", "aravan", "other"])
            let counts = try #require(tab["counts"] as? [[Int]])
            #expect(counts.count == 7 && counts.allSatisfy { $0.count == 9 })
            #expect(counts.map { $0[8] } == Array(repeating: 0, count: 7))  // nobody answered "other": still a column
            let respondents = try #require(tab["columnRespondents"] as? [Int])
            #expect(respondents.reduce(0, +) == 300)

            let byVillage = try api.json(try await api.send(.GET, "/forms/\(baseline.id)/crosstab?row=age_band&column=village"))
            let villages = try #require(byVillage["columns"] as? [[String: String]])
            // "Жаңы-Жер" and "Жаны-Жер" are one village however it was typed.
            #expect(villages.filter { SearchKey.fold($0["label"] ?? "") == SearchKey.fold("Жаңы-Жер") }.count == 1)
            #expect((byVillage["rows"] as? [[String: String]])?.map { $0["value"] } == ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"])

            let unknown = try await api.send(.GET, "/forms/\(baseline.id)/crosstab?row=needs&column=colour")
            #expect(unknown.status == .unprocessableEntity)
        }
    }
}
