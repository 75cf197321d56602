import AsharNetwork
import Foundation
import Needs
import Testing
import VaporTesting
@testable import App

@Suite("Survey forms API")
struct FormsAPITests {
    /// The forms the Needs context's own tests read.
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../NeedsTests/Fixtures/\(name)").standardizedFileURL)
    }

    @Test("POST /forms takes an .xlsx or its CSV form: 201 with the form's id, version and question count; the same version again 409")
    func importForms() async throws {
        try await withAshar { app, _ in
            let api = try await APIClient.forUser("admin", on: app)
            let xlsx = try await api.send(.POST, "/forms", body: try Self.fixture("household-form.xlsx"),
                                          contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(xlsx.status == .created)
            let created = try api.json(xlsx)
            #expect(created["formId"] as? String == "household_needs")
            #expect(created["version"] as? String == "2026-11")
            #expect(created["questionCount"] as? Int == 11)

            let again = try await api.send(.POST, "/forms", body: try Self.fixture("household-form.csv"), contentType: "text/csv")
            #expect(again.status == .conflict)
            #expect((try api.json(again)["error"] as? [String: Any])?["code"] as? String == "needs.form.version-exists")

            let id = try #require(created["id"] as? String)
            let form = try api.json(try await api.send(.GET, "/forms/\(id)"))
            let questions = try #require(form["questions"] as? [[String: Any]])
            let income = try #require(questions.first { $0["name"] as? String == "income_sources" })
            #expect(income["type"] as? String == "select_multiple")
            #expect(income["orOther"] as? Bool == true)
            #expect((income["label"] as? [String: String])?["ky"] == "Үй-бүлөнүн кирешеси кайдан келет?")
            let list = try api.json(try await api.send(.GET, "/forms"))
            #expect(list["total"] as? Int == 2)  // and the baseline survey every installation has
        }
    }

    @Test("A malformed form: 422 with every problem by sheet and row, in the user's language; nothing stored")
    func malformed() async throws {
        try await withAshar { app, _ in
            let api = try await APIClient.forUser("admin", on: app)
            let text = "survey,type,name,label\n,integer,age,Age\n,select_one colours,colour,Colour\n,text,age,Again\n"
            let refused = try await api.send(.POST, "/forms", body: Data(text.utf8), contentType: "text/csv", language: "ru")
            #expect(refused.status == .unprocessableEntity)
            let error = try #require(try api.json(refused)["error"] as? [String: Any])
            #expect(error["code"] as? String == "needs.form.invalid")
            let problems = try #require(error["problems"] as? [[String: Any]])
            #expect(problems.map { "\($0["sheet"] as? String ?? ""):\($0["row"] as? Int ?? 0)" } == ["survey:3", "survey:4"])
            #expect(problems.last?["message"] as? String == "Имя «age» уже использовано в строке 2.")
            #expect(try api.json(try await api.send(.GET, "/forms"))["total"] as? Int == 1)  // the baseline only

            let garbage = try await api.send(.POST, "/forms", body: Data("PK not really".utf8),
                                             contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(garbage.status == .unprocessableEntity)
        }
    }

    @Test("Only admins and coordinators import forms; members read none")
    func access() async throws {
        try await withAshar { app, _ in
            let member = try await APIClient.forUser("member", on: app)
            let text = "survey,type,name,label\n,integer,age,Age\n"
            #expect(try await member.send(.POST, "/forms", body: Data(text.utf8), contentType: "text/csv").status == .forbidden)
            #expect(try await member.send(.GET, "/forms").status == .forbidden)
        }
    }
}
