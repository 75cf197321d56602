import Foundation
import Kernel

/// A spreadsheet's sheet as XLSForm reads it: the header row, then the rows under it, each with the
/// row number people see in their spreadsheet (or the line of the CSV form), so problems can name it.
public struct Sheet: Sendable {
    public struct Row: Sendable {
        public let number: Int
        public let cells: [String]
        public init(number: Int, cells: [String]) {
            self.number = number
            self.cells = cells
        }
    }

    public let name: String
    public let header: [String]
    public let rows: [Row]

    public init(name: String, header: [String], rows: [Row]) {
        self.name = name
        self.header = header
        self.rows = rows
    }

    /// A row's cells by column name (the header trimmed, as written: `label::Kyrgyz (ky)`).
    func values(_ row: Row) -> [String: String] {
        var values: [String: String] = [:]
        for (index, column) in header.enumerated() where index < row.cells.count {
            let name = column.trimmingCharacters(in: .whitespaces)
            let value = row.cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty, !value.isEmpty { values[name] = value }
        }
        return values
    }
}

/// What is wrong with a form, where: the sheet, its row (1 is the header) and the reason.
public struct FormProblem: Sendable, Equatable {
    public let sheet: String
    public let row: Int
    public let error: DomainError

    public init(sheet: String, row: Int, _ code: String, _ arguments: [String: String] = [:]) {
        self.sheet = sheet
        self.row = row
        self.error = DomainError("needs.form." + code, arguments: arguments)
    }
}

/// A form that could not be read; every problem found, not only the first.
public struct FormRefused: Error, Sendable {
    public let problems: [FormProblem]
    public init(problems: [FormProblem]) { self.problems = problems }
}

/// A survey form, read from an XLSForm (the `survey`, `choices` and `settings` sheets).
public struct FormDefinition: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case integer, decimal, text, date, note, geopoint, calculate
        case selectOne = "select_one", selectMultiple = "select_multiple"
        case beginGroup = "begin_group", endGroup = "end_group", beginRepeat = "begin_repeat", endRepeat = "end_repeat"

        /// Does a respondent answer it (not a note, a calculation or a group's edge)?
        public var isAsked: Bool {
            ![.note, .calculate, .beginGroup, .endGroup, .beginRepeat, .endRepeat].contains(self)
        }
    }

    public struct Question: Sendable, Codable, Equatable {
        public var name: String
        public var kind: Kind
        /// Label and hint by language code (`ky`, `ru`, `en`; `default` when the form names none).
        public var label: [String: String]
        public var hint: [String: String]
        public var choiceList: String?
        public var orOther: Bool
        public var required: Bool
        public var relevant: FormExpression?
        public var constraint: FormExpression?
        public var constraintMessage: [String: String]
        public var calculation: FormExpression?
        /// The groups and repeats it sits in, outermost first.
        public var path: [String]
        /// The spreadsheet row it came from.
        public var row: Int
    }

    public struct Choice: Sendable, Codable, Equatable {
        public var name: String
        public var label: [String: String]
    }

    public var formID: String
    public var version: String
    public var title: [String: String]
    public var defaultLanguage: String
    public var questions: [Question]
    public var choices: [String: [Choice]]

    /// The questions a respondent answers.
    public var questionCount: Int { questions.filter(\.kind.isAsked).count }
}

extension FormDefinition {
    static let kinds: [String: Kind] = [
        "integer": .integer, "int": .integer, "decimal": .decimal, "text": .text, "string": .text, "date": .date,
        "note": .note, "geopoint": .geopoint, "calculate": .calculate,
        "select_one": .selectOne, "select one": .selectOne, "select_multiple": .selectMultiple, "select multiple": .selectMultiple,
        "begin group": .beginGroup, "begin_group": .beginGroup, "end group": .endGroup, "end_group": .endGroup,
        "begin repeat": .beginRepeat, "begin_repeat": .beginRepeat, "end repeat": .endRepeat, "end_repeat": .endRepeat,
    ]

    /// Reads a form from its sheets (by name, any case). Throws `FormRefused` with every problem found.
    public static func read(_ sheets: [Sheet]) throws(FormRefused) -> FormDefinition {
        var problems: [FormProblem] = []
        func sheet(_ name: String) -> Sheet? { sheets.first { $0.name.lowercased() == name } }
        guard let survey = sheet("survey") else {
            throw FormRefused(problems: [FormProblem(sheet: "survey", row: 1, "sheet-missing", ["sheet": "survey"])])
        }
        let choices = readChoices(sheet("choices"), problems: &problems)
        let settings = sheet("settings").flatMap { s in s.rows.first.map { s.values($0) } } ?? [:]
        let defaultLanguage = settings["default_language"].map(languageCode) ?? "default"

        var questions: [Question] = []
        var open: [(kind: Kind, name: String, row: Int)] = []
        var names: [String: Int] = [:]
        for row in survey.rows {
            let values = survey.values(row)
            guard !values.isEmpty else { continue }
            func problem(_ code: String, _ arguments: [String: String] = [:]) {
                problems.append(FormProblem(sheet: survey.name, row: row.number, code, arguments))
            }
            guard let typeText = values["type"] else { problem("type-missing"); continue }
            var words = typeText.split(whereSeparator: \.isWhitespace).map(String.init)
            let orOther = words.last == "or_other"
            if orOther { words.removeLast() }
            let twoWords = words.prefix(2).joined(separator: " ").lowercased()
            let (kind, list): (Kind?, String?) = if let k = kinds[twoWords], words.count >= 2 {
                (k, words.count > 2 ? words[2] : nil)
            } else {
                (words.first.flatMap { kinds[$0.lowercased()] }, words.count > 1 ? words[1] : nil)
            }
            guard let kind else { problem("type-unknown", ["type": typeText]); continue }

            if kind == .endGroup || kind == .endRepeat {
                let opening: Kind = kind == .endGroup ? .beginGroup : .beginRepeat
                guard let last = open.last, last.kind == opening else { problem("end-unmatched", ["type": typeText]); continue }
                open.removeLast()
                questions.append(Question(name: last.name, kind: kind, label: [:], hint: [:], choiceList: nil, orOther: false,
                                          required: false, relevant: nil, constraint: nil, constraintMessage: [:], calculation: nil,
                                          path: open.map(\.name), row: row.number))
                continue
            }
            guard let name = values["name"] else { problem("name-missing"); continue }
            if !isValidName(name) { problem("name-invalid", ["name": name]) }
            if let first = names[name] { problem("name-duplicate", ["name": name, "row": String(first)]) } else { names[name] = row.number }
            if kind == .selectOne || kind == .selectMultiple {
                if let list {
                    if choices[list] == nil { problem("choices-missing", ["list": list]) }
                } else {
                    problem("list-missing", ["type": typeText])
                }
            } else if orOther {
                problem("or-other-not-select", ["type": typeText])
            }
            if kind == .calculate && values["calculation"] == nil { problem("calculation-missing", ["name": name]) }

            func expression(_ column: String) -> FormExpression? {
                guard let source = values[column] else { return nil }
                do {
                    return try FormExpression.parse(source)
                } catch {
                    problem("expression-" + error.problem, ["column": column, "expression": source, "near": error.detail])
                    return nil
                }
            }
            let required = values["required"].map { ["yes", "true", "1", "true()"].contains($0.lowercased()) } ?? false
            if let text = values["required"], !["yes", "no", "true", "false", "1", "0", "true()", "false()"].contains(text.lowercased()) {
                problem("required-invalid", ["value": text])
            }
            questions.append(Question(
                name: name, kind: kind, label: localized(values, "label", defaultLanguage), hint: localized(values, "hint", defaultLanguage),
                choiceList: kind == .selectOne || kind == .selectMultiple ? list : nil, orOther: orOther, required: required,
                relevant: expression("relevant"), constraint: expression("constraint"),
                constraintMessage: localized(values, "constraint_message", defaultLanguage), calculation: expression("calculation"),
                path: open.map(\.name), row: row.number))
            if kind == .beginGroup || kind == .beginRepeat { open.append((kind, name, row.number)) }
        }
        for unclosed in open {
            problems.append(FormProblem(sheet: survey.name, row: unclosed.row, "begin-unclosed", ["name": unclosed.name]))
        }
        // References are checked once every name is known: a question may read one asked after it.
        for question in questions {
            for expression in [question.relevant, question.constraint, question.calculation].compactMap({ $0 }) {
                for name in expression.references.sorted() where names[name] == nil {
                    problems.append(FormProblem(sheet: survey.name, row: question.row, "reference-unknown", ["name": name]))
                }
            }
        }
        if questions.allSatisfy({ !$0.kind.isAsked }) && problems.isEmpty {
            problems.append(FormProblem(sheet: survey.name, row: 1, "no-questions"))
        }
        guard problems.isEmpty else { throw FormRefused(problems: problems.sorted { ($0.sheet, $0.row) < ($1.sheet, $1.row) }) }
        let title = localized(settings, "form_title", defaultLanguage)
        return FormDefinition(formID: settings["form_id"] ?? settings["id_string"] ?? "survey", version: settings["version"] ?? "1",
                              title: title, defaultLanguage: defaultLanguage, questions: questions, choices: choices)
    }

    static func readChoices(_ sheet: Sheet?, problems: inout [FormProblem]) -> [String: [Choice]] {
        guard let sheet else { return [:] }
        var lists: [String: [Choice]] = [:]
        var seen: [String: Int] = [:]
        for row in sheet.rows {
            let values = sheet.values(row)
            guard !values.isEmpty else { continue }
            guard let list = values["list_name"] ?? values["list name"] else {
                problems.append(FormProblem(sheet: sheet.name, row: row.number, "list-name-missing"))
                continue
            }
            guard let name = values["name"] else {
                problems.append(FormProblem(sheet: sheet.name, row: row.number, "choice-name-missing", ["list": list]))
                continue
            }
            if let first = seen[list + "\u{0}" + name] {
                problems.append(FormProblem(sheet: sheet.name, row: row.number, "choice-duplicate",
                                            ["list": list, "name": name, "row": String(first)]))
                continue
            }
            seen[list + "\u{0}" + name] = row.number
            lists[list, default: []].append(Choice(name: name, label: localized(values, "label", "default")))
        }
        return lists
    }

    /// `label`, `label::Kyrgyz (ky)`, `label::ru` → by language code; a plain `label` is the default language's.
    static func localized(_ values: [String: String], _ column: String, _ defaultLanguage: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in values {
            if key == column {
                result[defaultLanguage] = value
            } else if key.hasPrefix(column + "::") {
                result[languageCode(String(key.dropFirst(column.count + 2)))] = value
            }
        }
        return result
    }

    /// `Kyrgyz (ky)` → `ky`; `English` → `english`; `ru` → `ru`.
    static func languageCode(_ text: String) -> String {
        if let open = text.lastIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            return text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
        }
        return text.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// An XML element name, as ODK needs: a letter or `_` first, then letters, digits, `_`, `-`, `.`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) } && name.allSatisfy(\.isASCII)
    }
}
