import Foundation
import Kernel
import Needs
import Testing

@Suite("XLSForm reading")
struct FormReadingTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    static func form(csv text: String) throws(FormRefused) -> FormDefinition {
        try FormDefinition.read(FormFiles.sheets(csv: text))
    }

    @Test("The CSV form: settings, labels in three languages, groups, a repeat, choices, expressions")
    func csvForm() throws {
        let form = try FormDefinition.read(FormFiles.sheets(csv: String(decoding: try Self.fixture("household-form.csv"), as: UTF8.self)))
        #expect(form.formID == "household_needs")
        #expect(form.version == "2026-11")
        #expect(form.defaultLanguage == "en")
        #expect(form.title["en"] == "Household and needs")
        #expect(form.questionCount == 11)  // not the groups, the note or the calculation
        let income = try #require(form.questions.first { $0.name == "income_sources" })
        #expect(income.kind == .selectMultiple && income.choiceList == "income" && income.orOther && income.required)
        #expect(income.label["ky"] == "Үй-бүлөнүн кирешеси кайдан келет?")
        #expect(income.label["ru"] == "Откуда доходы домохозяйства?")
        #expect(income.path == ["household"])
        #expect(try #require(form.questions.first { $0.name == "member_age" }).path == ["member"])
        #expect(form.choices["services"]?.map(\.name) == ["training", "credit", "childcare", "legal"])
        #expect(form.choices["yes_no"]?.first?.label["ky"] == "Ооба")
        let months = try #require(form.questions.first { $0.name == "remittance_months" })
        #expect(months.relevant == .binary("=", .reference("remittances"), .text("yes")))
        #expect(months.row == 8)
    }

    @Test("The .xlsx file reads to the same form as its CSV form")
    func xlsxForm() throws {
        let fromXLSX = try FormDefinition.read(FormFiles.sheets(xlsx: try Self.fixture("household-form.xlsx")))
        let fromCSV = try FormDefinition.read(FormFiles.sheets(csv: String(decoding: try Self.fixture("household-form.csv"), as: UTF8.self)))
        #expect(fromXLSX == fromCSV)
    }

    @Test("A malformed form is refused with every problem, by sheet and row")
    func problems() throws {
        let text = """
        survey,type,name,label,relevant,constraint
        ,integer,age,Age,,. > 15 and
        ,select_one colours,colour,Colour,,
        ,select_one,shape,Shape,,
        ,text,age,Age again,,
        ,photo,picture,Picture,,
        ,text,2nd,Bad name,${nobody} = 1,
        ,end group,,,,
        ,begin repeat,kids,Children,,
        choices,list_name,name,label
        ,sizes,s,Small
        ,sizes,s,Small again
        """
        do {
            _ = try Self.form(csv: text)
            Issue.record("a malformed form was accepted")
        } catch {
            let found = error.problems.map { "\($0.sheet):\($0.row):\($0.error.code)" }
            #expect(found == [
                "choices:12:needs.form.choice-duplicate",
                "survey:2:needs.form.expression-incomplete",
                "survey:3:needs.form.choices-missing",
                "survey:4:needs.form.list-missing",
                "survey:5:needs.form.name-duplicate",
                "survey:6:needs.form.type-unknown",
                "survey:7:needs.form.name-invalid",
                "survey:7:needs.form.reference-unknown",
                "survey:8:needs.form.end-unmatched",
                "survey:9:needs.form.begin-unclosed",
            ])
            #expect(error.problems.first { $0.row == 5 }?.error.arguments == ["name": "age", "row": "2"])
        }
    }

    @Test("Not a spreadsheet, or no survey sheet: refused, with the reason")
    func unreadable() throws {
        #expect(throws: FormRefused.self) { try FormFiles.sheets(xlsx: Data("not a zip".utf8)) }
        do {
            _ = try Self.form(csv: "choices,list_name,name,label\n,yn,yes,Yes\n")
            Issue.record("a form without a survey sheet was accepted")
        } catch {
            #expect(error.problems.map(\.error.code) == ["needs.form.sheet-missing"])
        }
    }

    @Test("Expressions: comparisons, and/or/not, selected(), the current answer, arithmetic")
    func expressions() throws {
        func check(_ source: String, _ answers: [String: String], current: String? = nil) throws -> Bool {
            try FormExpression.parse(source).evaluate(answers, current: current).isTrue
        }
        #expect(try check(". > 0 and . <= 30", [:], current: "4"))
        #expect(try !check(". > 0 and . <= 30", [:], current: "31"))
        #expect(try check(". < ${household_size}", ["household_size": "5"], current: "2"))
        #expect(try !check(". < ${household_size}", ["household_size": "5"], current: "12"))
        #expect(try check("selected(${s}, 'credit')", ["s": "training credit"]))
        #expect(try !check("selected(${s}, 'cred')", ["s": "training credit"]))
        #expect(try check("not(${a} = 'yes') or ${b} >= 2", ["a": "yes", "b": "2"]))
        #expect(try !check("${a} = 'yes' and ${b} >= 2", ["a": "yes"]))
        #expect(try check("count-selected(${s}) = 2", ["s": "training credit"]))
        #expect(try FormExpression.parse("${n} - ${k} * 2").evaluate(["n": "7", "k": "2"]) == .number(3))
        #expect(try check("${d} >= '2026-01-01'", ["d": "2026-03-08"]))
        #expect(throws: FormExpression.SyntaxError.self) { try FormExpression.parse("${a} = ") }
        #expect(throws: FormExpression.SyntaxError.self) { try FormExpression.parse("launch(${a})") }
        #expect(try FormExpression.parse("${a} + ${b} > ${c}").references == ["a", "b", "c"])
    }
}

@Suite("The baseline needs survey")
struct BaselineSurveyTests {
    @Test("It reads without a problem, and every question and choice speaks Kyrgyz, Russian and English")
    func threeLanguages() throws {
        let form = try FormDefinition.read(FormFiles.sheets(csv: String(decoding: try FormService.baseline, as: UTF8.self)))
        #expect(form.formID == "ashar_baseline_needs")
        #expect(form.defaultLanguage == "ky")
        #expect(Set(form.title.keys) == ["ky", "ru", "en"])
        for question in form.questions where question.kind.isAsked || question.kind == .beginGroup || question.kind == .note {
            #expect(Set(question.label.keys) == ["ky", "ru", "en"], "\(question.name)")
        }
        for (list, choices) in form.choices {
            for choice in choices { #expect(Set(choice.label.keys) == ["ky", "ru", "en"], "\(list)/\(choice.name)") }
        }
        let wanted = try #require(form.questions.first { $0.name == "services_wanted" })
        #expect(form.choices[wanted.choiceList!]?.map(\.name).contains("certification") == true)
        #expect(form.questionCount == 23)
        // The household's ages add up: elders and children never more than the household.
        let elders = try #require(form.questions.first { $0.name == "elders" }?.constraint)
        #expect(elders.evaluate(["household_size": "5", "children": "3"], current: "2").isTrue)
        #expect(!elders.evaluate(["household_size": "5", "children": "3"], current: "3").isTrue)
    }
}
