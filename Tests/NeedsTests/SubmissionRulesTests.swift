import Foundation
import Kernel
import Needs
import Testing

@Suite("Answers, exports and tabulation")
struct SubmissionRulesTests {
    static func householdForm() throws -> FormDefinition {
        try FormDefinition.read(FormFiles.sheets(csv: String(decoding: try FormReadingTests.fixture("household-form.csv"), as: UTF8.self)))
    }

    static func file(_ name: String) throws -> ExportFile {
        ExportFile(name: name, data: try FormReadingTests.fixture(name))
    }

    @Test("Entry enforces required, relevant and constraints, drops answers that are not relevant and works out calculations")
    func entryRules() throws {
        let form = try Self.householdForm()
        let given = Answers(values: ["household_size": "4", "children": "4", "income_sources": "farming other", "income_sources_other": "Кийиз",
                                     "remittances": "no", "remittance_months": "5", "interview_date": "2025-02-30",
                                     "services_wanted": "credit", "training_topic": "never asked"],
                            repeats: ["member": [["member_age": "-3"], ["member_age": "30"]]])
        let (kept, problems) = AnswerCheck(form).check(given, language: "ru", today: "2026-11-27")
        let byQuestion = Dictionary(grouping: problems, by: \.question)
        #expect(byQuestion["children"]?.first?.error.code == "needs.answer.constraint-message")
        #expect(byQuestion["children"]?.first?.error.arguments["question"] == "Сколько из них младше 16 лет?")
        #expect(byQuestion["interview_date"]?.first?.error.code == "needs.answer.not-date")
        #expect(byQuestion["member_age"]?.first?.instance == 1)
        #expect(byQuestion["member_age"]?.count == 1)
        #expect(byQuestion["remittance_months"] == nil)  // not relevant: dropped, not refused
        #expect(kept.values["remittance_months"] == nil && kept.values["training_topic"] == nil)
        #expect(kept.values["income_sources_other"] == "Кийиз")
        #expect(kept.values["adults"] == nil)  // children was refused: no number to work with

        let fine = Answers(values: ["household_size": "4", "children": "1", "income_sources": "wages", "remittances": "yes",
                                    "interview_date": "2025-02-28", "land_ha": "0,5"])
        let (good, none) = AnswerCheck(form).check(fine, language: "en", today: "2026-11-27")
        #expect(none.isEmpty)
        #expect(good.values["land_ha"] == "0.5" && good.values["adults"] == "3")
        let unknown = AnswerCheck(form).check(Answers(values: ["nope": "1"]), language: "en", today: "2026-11-27").1
        #expect(unknown.contains { $0.error.code == "needs.answer.unknown-question" })
        #expect(unknown.contains { $0.question == "household_size" && $0.error.code == "needs.answer.required" })
    }

    /// A submission's answers outside repeats, as stored.
    static func values(_ submission: IncomingSubmission) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(submission.values))) ?? [:]
    }

    @Test("A KoboToolbox export: quoted cells split by ;, group/question headers, 0/1 choice columns, a cell over two lines")
    func koboExport() throws {
        let read = try ExportReading.read([try Self.file("household-kobo.csv")], source: .kobo, form: try Self.householdForm(),
                                          counting: ["income_sources", "land_ha"])
        #expect(read.count == 4)
        #expect(read.map(\.line) == [2, 3, 4, 6])  // the third answer's text holds a line break
        let first = read[0]
        #expect(first.key == "6f1a0c52-1c1e-4d8e-9a11-0a2b3c4d5e01")
        #expect(first.submittedAt == Date(timeIntervalSince1970: 1_741_079_565))
        #expect(Self.values(first)["income_sources"] == "farming livestock")
        #expect(Self.values(first)["training_topic"] == "Жемиш кургатуу, консерва")
        #expect(Self.values(first)["location"] == "42.8746 74.5698 760 5")
        #expect(Self.values(read[1])["income_sources_other"] == "Кол өнөрчүлүк (кийиз)")
        #expect(Self.values(read[1])["land_ha"] == nil)  // empty answers are not stored
        #expect(Self.values(read[2])["training_topic"] == "Шить и продавать одежду\nи курпачи")
        // Kept apart for the counts: the answers to the questions asked for, and no others.
        #expect(first.counted == ["income_sources": "farming livestock", "land_ha": Self.values(first)["land_ha"]])
        #expect(read[1].counted == ["income_sources": Self.values(read[1])["income_sources"]])
    }

    @Test("An ODK Central export: , and - headers, SubmissionDate and KEY, geopoint in four columns, a repeat joined by PARENT_KEY")
    func odkExport() throws {
        let read = try ExportReading.read([try Self.file("household-odk.csv"), try Self.file("household-odk-member.csv")],
                                          source: .odk, form: try Self.householdForm())
        #expect(read.count == 3)
        #expect(read[0].key == "a3c1e2f0-7b1d-4c55-8e2a-9d0f1b2c3d01")
        #expect(Self.values(read[0])["location"] == "42.6500 74.1000 700 4.5")
        #expect(read[0].repeats["member"]?.compactMap { $0["member_age"] } == ["34", "36", "9", "61"])
        #expect(read[1].repeats["member"]?.count == 2)
        #expect(Self.values(read[1])["income_sources_other"] == "Сүт сатуу")
        #expect(read[2].key == "6f1a0c52-1c1e-4d8e-9a11-0a2b3c4d5e01")  // the same instance as KoboToolbox's first
    }

    @Test("Every wrong line is named with its file, line and reason")
    func wrongLines() throws {
        let text = """
            SubmissionDate,household-household_size,household-income_sources,interview_date,KEY
            2025-03-07T05:10:11Z,four,farming,2025-03-07,uuid:1
            2025-03-07T05:10:11Z,4,fishing,2025-03-07,uuid:2
            2025-03-07T05:10:11Z,4,farming,2025-03-07,
            2025-03-07T05:10:11Z,4,farming,2025-03-07,uuid:4
            """
        let bad = ExportFile(name: "survey.csv", data: Data(text.utf8))
        let orphan = ExportFile(name: "survey-member.csv", data: Data("member_age,PARENT_KEY,KEY\n30,uuid:9,uuid:9/member[1]\n".utf8))
        let failure = try #require(throws: ImportFailed.self) {
            try ExportReading.read([bad, orphan], source: .odk, form: try Self.householdForm())
        }
        #expect(failure.problems.map(\.line) == [2, 3, 4, 2])
        #expect(failure.problems.map(\.file) == ["survey.csv", "survey.csv", "survey.csv", "survey-member.csv"])
        #expect(failure.problems[0].errors.map(\.code) == ["needs.answer.not-integer"])
        #expect(failure.problems[1].errors.first?.arguments["value"] == "fishing")
        #expect(failure.problems[2].errors.map(\.code) == ["needs.import.key-missing"])
        #expect(failure.problems[3].errors.map(\.code) == ["needs.import.parent-unknown"])

        let labels = ExportFile(name: "labels.csv", data: Data("\"Start\";\"How many people?\";\"_uuid\"\n\"x\";\"3\";\"u1\"\n".utf8))
        let noColumns = try #require(throws: ImportFailed.self) { try ExportReading.read([labels], source: .kobo, form: try Self.householdForm()) }
        #expect(noColumns.problems.first?.errors.map(\.code) == ["needs.import.no-questions"])
    }

    @Test("Shares carry Wilson's 95% interval; weights shrink the effective sample")
    func shares() {
        let half = Share(part: 50, whole: 100, effectiveSize: 100)
        #expect(half.percent == 50 && half.low == 40.4 && half.high == 59.6)
        let none = Share(part: 0, whole: 20, effectiveSize: 20)
        #expect(none.low == 0 && none.high == 16.1)
        let weighted = Share(part: 50, whole: 100, effectiveSize: 25)
        #expect(weighted.high - weighted.low > half.high - half.low)
        #expect(Share(part: 0, whole: 0, effectiveSize: 0).percent == 0)
    }

    @Test("Frequencies list every category, count respondents and mentions; a cross-tab keeps empty cells")
    func tabulation() throws {
        let form = try Self.householdForm()
        let services = try Dimension.of("services_wanted", in: form, language: "ky")
        let counts = [AnswerCount(row: "training credit", column: nil, count: 3, weight: 3, weightSquared: 3),
                      AnswerCount(row: "legal", column: nil, count: 1, weight: 1, weightSquared: 1),
                      AnswerCount(row: nil, column: nil, count: 6, weight: 6, weightSquared: 6)]
        let frequencies = Frequencies(services, counts: counts)
        #expect(frequencies.respondents == 4)
        #expect(frequencies.rows.map(\.category.value) == ["training", "credit", "childcare", "legal"])
        #expect(frequencies.rows.map(\.count) == [3, 3, 0, 1])
        #expect(frequencies.rows[0].share.percent == 75)
        #expect(frequencies.rows[0].mentionsPercent == 42.9)
        #expect(frequencies.rows[0].category.label == "Окутуу")
        #expect(frequencies.rows[0].small && !frequencies.rows[2].small)

        let size = Frequencies(try Dimension.of("household_size", in: form, language: "en"),
                               counts: [AnswerCount(row: "10", column: nil, count: 1, weight: 1, weightSquared: 1),
                                        AnswerCount(row: "4", column: nil, count: 2, weight: 2, weightSquared: 2)])
        #expect(size.rows.map(\.category.value) == ["4", "10"])
        let summary = try #require(size.summary)
        #expect(summary.count == 3 && summary.mean == 6 && summary.median == 4 && summary.minimum == 4 && summary.maximum == 10)

        let tab = CrossTab(row: services, column: try Dimension.of("remittances", in: form, language: "en"),
                           counts: [AnswerCount(row: "training credit", column: "yes", count: 2, weight: 2, weightSquared: 2),
                                    AnswerCount(row: "legal", column: "yes", count: 2, weight: 2, weightSquared: 2)])
        #expect(tab.column.categories.map(\.value) == ["yes", "no"])
        #expect(tab.cells.map { $0.map(\.count) } == [[2, 0], [2, 0], [0, 0], [2, 0]])
        #expect(tab.columnRespondents == [4, 0])
        #expect(tab.cells[0][0].share.percent == 50)
        // Equal shares rank by label, in the reader's language: Кредит, Окутуу, Юридикалык жардам.
        #expect(tab.ranking()[0].map(\.category.value) == ["credit", "training", "legal"])
    }

    @Test("One answer as an export gives it: kept as Ashar writes it, or refused with the reason")
    func oneAnswer() throws {
        let form = try Self.householdForm(), check = AnswerCheck(form)
        func answer(_ raw: String, _ question: String) -> String {
            switch check.normalised(raw, for: form.questions.first { $0.name == question }!) {
            case .success(let value): return value
            case .failure(let error): return error.code
            }
        }
        #expect(answer("2024-02-29", "interview_date") == "2024-02-29")
        #expect(answer(" 2025-03-05T10:22:13+06:00 ", "interview_date") == "2025-03-05")
        for wrong in ["2025-02-29", "2025-13-01", "2025-00-10", "1899-12-31", "2025-2-28", "2025/02/28", "2025-02-28 10:00", "+025-02-28", "2025-02-2a", ""] {
            #expect(answer(wrong, "interview_date") == "needs.answer.not-date", "\(wrong)")
        }
        #expect(answer("farming trade", "income_sources") == "farming trade")
        #expect(answer("farming   trade", "income_sources") == "farming trade")
        #expect(answer("wages", "income_sources") == "wages")
        #expect(answer("farming fishing", "income_sources") == "needs.answer.not-choice")
        #expect(answer("yes", "remittances") == "yes")
        #expect(answer("yes no", "remittances") == "needs.answer.one-choice")
        #expect(answer("12", "household_size") == "12")
        #expect(answer("1.5", "household_size") == "needs.answer.not-integer")
        #expect(answer("1,5", "land_ha") == "1.5")
    }
}
