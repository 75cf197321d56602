import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import Needs
import Testing
import TestSupport

@Suite("Submissions and analysis on a real database")
struct SubmissionServiceTests {
    static let actor = Actor(userID: nil, login: "enumerator")

    static func householdForm(on db: any Database) async throws -> FormRecord {
        try await FormService(db: db).importForm(try FormReadingTests.fixture("household-form.csv"), kind: .csv, by: actor)
    }

    static func count(_ form: FormRecord, on db: any Database) async throws -> Int {
        try await SubmissionService(db: db).submissions(form: form.id, page: PageQuery()).total
    }

    @Test("KoboToolbox then ODK Central: repeats joined, the submission both exported is stored once, a second import adds nothing")
    func importsAndDuplicates() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            let service = SubmissionService(db: db)
            let kobo = try await service.importExport(form: form.id, files: [try SubmissionRulesTests.file("household-kobo.csv")], source: .kobo, by: Self.actor)
            #expect(kobo == ImportResult(imported: 4, duplicates: 0))
            let odkFiles = [try SubmissionRulesTests.file("household-odk.csv"), try SubmissionRulesTests.file("household-odk-member.csv")]
            let odk = try await service.importExport(form: form.id, files: odkFiles, source: .odk, by: Self.actor)
            #expect(odk == ImportResult(imported: 2, duplicates: 1))
            let again = try await service.importExport(form: form.id, files: odkFiles, source: .odk, by: Self.actor)
            #expect(again == ImportResult(imported: 0, duplicates: 3))
            #expect(try await Self.count(form, on: db) == 6)
            let stored = try await service.submissions(form: form.id, page: PageQuery()).items
            let withMembers = try #require(stored.first { $0.instanceKey == "a3c1e2f0-7b1d-4c55-8e2a-9d0f1b2c3d01" })
            #expect(withMembers.answers.repeats["member"]?.count == 4)
            #expect(withMembers.source == .odk)
            #expect(stored.first { $0.instanceKey == "6f1a0c52-1c1e-4d8e-9a11-0a2b3c4d5e02" }?.answers.values["income_sources_other"] == "Кол өнөрчүлүк (кийиз)")
        }
    }

    @Test("A key twice in one export: the first line is stored, the later one counted a duplicate; a stored submission is left as it was")
    func duplicatesKeepTheFirst() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            let lines = String(decoding: try FormReadingTests.fixture("household-kobo.csv"), as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            let first = try #require(lines.first { $0.contains("5e01") }), second = try #require(lines.first { $0.contains("5e02") })
            func export(_ rows: [String]) -> [ExportFile] { [ExportFile(name: "kobo.csv", data: Data(([lines[0]] + rows).joined(separator: "\r\n").utf8))] }
            func size(_ key: String) async throws -> String? {
                try await SubmissionService(db: db).submissions(form: form.id, page: PageQuery()).items
                    .first { $0.instanceKey.hasSuffix(key) }?.answers.values["household_size"]
            }
            let service = SubmissionService(db: db)
            // Out of the keys' order, and 5e02 again with another household size.
            let twice = export([second, first, second.replacingOccurrences(of: "\"3\";\"0\";\"trade other\"", with: "\"9\";\"0\";\"trade other\"")])
            #expect(try await service.importExport(form: form.id, files: twice, source: .kobo, by: Self.actor) == ImportResult(imported: 2, duplicates: 1))
            #expect(try await size("5e02") == "3")
            let changed = export([first.replacingOccurrences(of: "\"5\";\"2\";\"farming livestock\"", with: "\"8\";\"2\";\"farming livestock\"")])
            #expect(try await service.importExport(form: form.id, files: changed, source: .kobo, by: Self.actor) == ImportResult(imported: 0, duplicates: 1))
            #expect(try await size("5e01") == "5")
            #expect(try await Self.count(form, on: db) == 2)
        }
    }

    @Test("An export with one wrong line stores nothing")
    func allOrNothing() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            var text = String(decoding: try FormReadingTests.fixture("household-kobo.csv"), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"2025-03-06\"", with: "\"06.03.2025\"")
            await #expect(throws: ImportFailed.self) {
                try await SubmissionService(db: db).importExport(form: form.id, files: [ExportFile(name: "kobo.csv", data: Data(text.utf8))],
                                                                 source: .kobo, by: Self.actor)
            }
            #expect(try await Self.count(form, on: db) == 0)
        }
    }

    @Test("Frequencies and cross-tabs are counted by the database, every category present")
    func analysis() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            _ = try await SubmissionService(db: db).importExport(form: form.id, files: [try SubmissionRulesTests.file("household-kobo.csv")],
                                                                source: .kobo, by: Self.actor)
            let analysis = AnalysisService(db: db)
            let income = try await analysis.frequencies(form: form.id, question: "income_sources", weight: nil, language: "ru", labels: ["other": "Другое"])
            #expect(income.respondents == 4)
            #expect(income.rows.map(\.category.value) == ["farming", "livestock", "trade", "wages", "other"])
            #expect(income.rows.map(\.count) == [1, 2, 1, 1, 1])
            #expect(income.rows.last?.category.label == "Другое")
            #expect(income.rows[1].share.percent == 50)
            let size = try await analysis.frequencies(form: form.id, question: "household_size", weight: nil, language: "en", labels: [:])
            #expect(size.summary?.maximum == 7 && size.summary?.count == 4)
            let weighted = try await analysis.frequencies(form: form.id, question: "remittances", weight: "household_size", language: "en", labels: [:])
            #expect(weighted.rows.map(\.share.percent) == [70.6, 29.4])  // yes: 5 + 7 of 17 people

            let tab = try await analysis.crosstab(form: form.id, row: "services_wanted", column: "remittances", weight: nil, language: "en", labels: [:])
            #expect(tab.row.categories.map(\.value) == ["training", "credit", "childcare", "legal"])
            #expect(tab.cells.map { $0.map(\.count) } == [[2, 0], [1, 0], [1, 0], [0, 1]])
            #expect(tab.columnRespondents == [2, 1])  // the fourth woman named no service

            // Counts are kept until the form's next submissions, then counted again with them.
            let odk = [try SubmissionRulesTests.file("household-odk.csv"), try SubmissionRulesTests.file("household-odk-member.csv")]
            let more = try await SubmissionService(db: db).importExport(form: form.id, files: odk, source: .odk, by: Self.actor)
            #expect(more.imported > 0)
            let sizeAfter = try await analysis.frequencies(form: form.id, question: "household_size", weight: nil, language: "en", labels: [:])
            #expect(sizeAfter.summary?.count == 4 + more.imported)
            let tabAfter = try await analysis.crosstab(form: form.id, row: "services_wanted", column: "remittances", weight: nil, language: "en", labels: [:])
            #expect(tabAfter.columnRespondents.reduce(0, +) > tab.columnRespondents.reduce(0, +))

            await #expect(throws: DomainError.self) {
                try await analysis.frequencies(form: form.id, question: "remittances", weight: "training_topic", language: "en", labels: [:])
            }
        }
    }

    @Test("A question inside a repeat is counted per entry, crossed with the answers of its submission")
    func repeatAnalysis() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            let files = [try SubmissionRulesTests.file("household-odk.csv"), try SubmissionRulesTests.file("household-odk-member.csv")]
            _ = try await SubmissionService(db: db).importExport(form: form.id, files: files, source: .odk, by: Self.actor)
            let analysis = AnalysisService(db: db)
            let ages = try await analysis.frequencies(form: form.id, question: "member_age", weight: nil, language: "en", labels: [:])
            #expect(ages.dimension.repeatName == "member")
            #expect(ages.respondents == 6)  // six household members in two submissions; the third listed none
            #expect(ages.summary?.minimum == 9 && ages.summary?.maximum == 61)
            let tab = try await analysis.crosstab(form: form.id, row: "member_age", column: "remittances", weight: nil, language: "en", labels: [:])
            #expect(tab.column.categories.map(\.value) == ["yes", "no"])
            #expect(tab.columnRespondents == [2, 4])
            let counted: Int = tab.cells.joined().map(\.count).reduce(0, +)
            #expect(counted == 6)
            let weighted = try await analysis.frequencies(form: form.id, question: "member_age", weight: "household_size", language: "en", labels: [:])
            #expect(weighted.rows.first { $0.category.value == "41" }?.share.percent == 21.4)  // each entry weighs its household: 6 of 4·4 + 6·2
        }
    }

    @Test("Answers sent once are stored once; wrong answers are refused with their questions; a respondent is linked only with consent")
    func submitAndLink() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await Self.householdForm(on: db)
            let service = SubmissionService(db: db)
            let answers = Answers(values: ["household_size": "3", "children": "1", "income_sources": "trade", "remittances": "no",
                                           "interview_date": "2026-11-20"], repeats: ["member": [["member_age": "40"]]])
            let (first, created) = try await service.submit(form: form.id, answers: answers, instanceKey: "uuid:web-1", source: .web, by: Self.actor, language: "ky")
            #expect(created && first.answers.values["adults"] == "2" && first.answers.repeats["member"]?.count == 1)
            let (again, createdAgain) = try await service.submit(form: form.id, answers: answers, instanceKey: "web-1", source: .web, by: Self.actor, language: "ky")
            #expect(!createdAgain && again.id == first.id)

            var wrong = answers
            wrong.values["children"] = "9"
            wrong.repeats = ["member": [["member_age": "40"], [:]]]
            let refused = try await #require(throws: ValidationErrors.self) {
                try await service.submit(form: form.id, answers: wrong, instanceKey: nil, source: .api, by: Self.actor, language: "en")
            }
            #expect(Set(refused.errors.compactMap(\.field)) == ["children", "member[2].member_age"])
            #expect(try await Self.count(form, on: db) == 1)

            let person = try await Factories(db: db).person("Айгүл Токтосунова", in: try await Factories(db: db).village())
            await #expect(throws: DomainError.self) {
                try await service.linkRespondent(first.id, person: person.id, consentGiven: false, method: .spoken, by: Self.actor)
            }
            #expect(try await service.submission(first.id).personID == nil)
            try await service.linkRespondent(first.id, person: person.id, consentGiven: true, method: .interpreter, by: Self.actor)
            let linked = try await service.submission(first.id)
            #expect(linked.personID == person.id)
            #expect(linked.consent?.method == .interpreter)
        }
    }
}
