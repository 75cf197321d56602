import Foundation
import Kernel

/// One submission's answers as Ashar keeps them: text by question name (a multiple choice as its
/// choices separated by spaces, numbers as written, dates as `YYYY-MM-DD`, as ODK keeps them), and
/// the instances of each repeat.
public struct Answers: Sendable, Equatable, Codable {
    public var values: [String: String]
    public var repeats: [String: [[String: String]]]

    public init(values: [String: String] = [:], repeats: [String: [[String: String]]] = [:]) {
        self.values = values
        self.repeats = repeats
    }
}

/// An answer that breaks the form's rules: which question, in which instance of its repeat.
public struct AnswerProblem: Sendable, Equatable {
    public let question: String
    public let instance: Int?
    public let error: DomainError
}

extension FormDefinition {
    /// Text in the reader's language, else the form's default, else any.
    public static func text(_ labels: [String: String], _ language: String, default defaultLanguage: String) -> String? {
        labels[language] ?? labels[defaultLanguage] ?? labels["default"] ?? labels.sorted { $0.key < $1.key }.first?.value
    }

    public func label(of question: Question, _ language: String) -> String {
        Self.text(question.label, language, default: defaultLanguage) ?? question.name
    }

    public func label(of choice: Choice, _ language: String) -> String {
        Self.text(choice.label, language, default: defaultLanguage) ?? choice.name
    }

    public func question(_ name: String) -> Question? {
        questions.first { $0.name == name && $0.kind != .endGroup && $0.kind != .endRepeat }
    }

    /// The repeat a question is asked in (the innermost), if any.
    public func repeatName(of question: Question) -> String? {
        let repeats = Set(questions.filter { $0.kind == .beginRepeat }.map(\.name))
        return question.path.last { repeats.contains($0) }
    }
}

/// The rules an answer must meet: its type, its choices, and in entry the form's `required`,
/// `relevant` and `constraint`. Made once per form: each question's allowed choices are looked up, not
/// rebuilt for every answer of a 100,000-row import.
public struct AnswerCheck: Sendable {
    public let form: FormDefinition
    let choices: [String: Set<String>]

    public init(_ form: FormDefinition) {
        self.form = form
        var choices: [String: Set<String>] = [:]
        for question in form.questions where question.kind == .selectOne || question.kind == .selectMultiple {
            choices[question.name] = Set((form.choices[question.choiceList ?? ""] ?? []).map(\.name) + (question.orOther ? ["other"] : []))
        }
        self.choices = choices
    }

    /// The answer written as Ashar keeps it, or the reason it cannot be one (`needs.answer.*`).
    public func normalised(_ raw: String, for question: FormDefinition.Question) -> Result<String, DomainError> {
        normalised(raw, for: asked(question))
    }

    /// What checking an answer needs of its question, and the names its choices may take: a copy of a
    /// whole `Question` (a dozen texts, tables and expressions) for each of an import's millions of
    /// cells cost a tenth of its reading, and finding its choices by its name a hash of the name for each.
    struct Asked: Sendable {
        let name: String
        let kind: FormDefinition.Kind
        let choices: Set<String>
    }

    func asked(_ question: FormDefinition.Question) -> Asked {
        Asked(name: question.name, kind: question.kind, choices: choices[question.name] ?? [])
    }

    func normalised(_ raw: String, for question: Asked) -> Result<String, DomainError> {
        let value = raw.trimmedCell
        func refuse(_ code: String) -> Result<String, DomainError> {
            .failure(DomainError("needs.answer." + code, field: question.name, arguments: ["value": value]))
        }
        switch question.kind {
        case .integer:
            return Int(value) != nil ? .success(value) : refuse("not-integer")
        case .decimal:
            let dotted = value.utf8.contains(UInt8(ascii: ",")) ? value.replacingOccurrences(of: ",", with: ".") : value
            return Double(dotted).map { $0.isFinite } == true ? .success(dotted) : refuse("not-number")
        case .date:
            let bytes = value.utf8
            guard Self.isDate(bytes.prefix(10)), bytes.count == 10 || bytes.dropFirst(10).first == UInt8(ascii: "T") else { return refuse("not-date") }
            return .success(bytes.count == 10 ? value : String(value.prefix(10)))
        case .geopoint:
            let parts = value.split(separator: " ").compactMap { Double($0) }
            guard parts.count >= 2, parts.count <= 4, parts.count == value.split(separator: " ").count,
                  abs(parts[0]) <= 90, abs(parts[1]) <= 180 else { return refuse("not-geopoint") }
            return .success(value)
        case .selectOne, .selectMultiple:
            let names = question.choices
            func notChoice(_ name: String) -> Result<String, DomainError> {
                .failure(DomainError("needs.answer.not-choice", field: question.name, arguments: ["value": name]))
            }
            // One choice (every select_one, and most cells of a select_multiple): nothing to split.
            guard value.utf8.contains(UInt8(ascii: " ")) else { return names.contains(value) ? .success(value) : notChoice(value) }
            if question.kind == .selectOne { return names.contains(value) ? .success(value) : refuse("one-choice") }
            // Choices are split by spaces, as ODK writes them (the cell is already trimmed), and kept
            // one space apart: as written, unless it has spaces to spare. Split on the bytes: `split`
            // on the text itself walks it character by character, by Unicode's rules, for names in ASCII.
            let picked = value.utf8.split(separator: UInt8(ascii: " ")).map(Substring.init)
            guard let wrong = picked.first(where: { !names.contains(String($0)) }) else {
                return .success(picked.count == 1 ? String(picked[0])
                                : value.utf8.count == picked.reduce(picked.count - 1, { $0 + $1.utf8.count }) ? value : picked.joined(separator: " "))
            }
            return notChoice(String(wrong))
        case .text, .calculate, .note, .beginGroup, .endGroup, .beginRepeat, .endRepeat:
            return .success(value)
        }
    }

    /// Whether the text is a day of the calendar written `yyyy-mm-dd`, from 1900 to 2200.
    static func isDate(_ text: some Collection<UInt8>) -> Bool {
        guard text.count == 10 else { return false }
        var fields = [0, 0, 0], field = 0
        for (index, byte) in text.enumerated() {
            if index == 4 || index == 7 {
                guard byte == UInt8(ascii: "-") else { return false }
                field += 1
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
                fields[field] = fields[field] * 10 + Int(byte - UInt8(ascii: "0"))
            }
        }
        let (y, m, d) = (fields[0], fields[1], fields[2])
        guard (1900...2200).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let days = [31, y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    /// Checks answers typed in web entry or sent to the API against every rule of the form. Answers to
    /// questions that are not relevant are dropped, calculations are worked out, and an `or_other`
    /// question keeps its `<name>_other` text. Returns what is kept and every problem found.
    public func check(_ given: Answers, language: String, today: String) -> (Answers, [AnswerProblem]) {
        var problems: [AnswerProblem] = []
        let known = Set(form.questions.filter { $0.kind.isAsked || $0.kind == .beginRepeat }.map(\.name))
            .union(form.questions.filter(\.orOther).map { $0.name + "_other" })
        for name in Set(given.values.keys).union(given.repeats.keys).sorted() where !known.contains(name) {
            problems.append(AnswerProblem(question: name, instance: nil, error: DomainError("needs.answer.unknown-question", field: name, arguments: ["name": name])))
        }
        let outside = form.questions.filter { form.repeatName(of: $0) == nil }
        var values = checkScope(outside, given.values, scope: [:], language: language, today: today, instance: nil, problems: &problems)
        var repeats: [String: [[String: String]]] = [:]
        for repeatQuestion in outside where repeatQuestion.kind == .beginRepeat {
            guard values["__relevant." + repeatQuestion.name] != nil else { continue }
            let inside = form.questions.filter { form.repeatName(of: $0) == repeatQuestion.name }
            repeats[repeatQuestion.name] = (given.repeats[repeatQuestion.name] ?? []).enumerated().map { index, instance in
                checkScope(inside, instance, scope: values, language: language, today: today, instance: index + 1, problems: &problems)
                    .filter { !$0.key.hasPrefix("__relevant.") }
            }.filter { !$0.isEmpty }
        }
        values = values.filter { !$0.key.hasPrefix("__relevant.") }
        return (Answers(values: values, repeats: repeats.filter { !$0.value.isEmpty }), problems)
    }

    /// One level of questions (the form outside repeats, or one instance of a repeat), in form order so a
    /// relevance or calculation reads the answers before it. A relevant group or repeat is noted as
    /// `__relevant.<name>` so the questions inside it know.
    func checkScope(_ questions: [FormDefinition.Question], _ given: [String: String], scope: [String: String],
                    language: String, today: String, instance: Int?, problems: inout [AnswerProblem]) -> [String: String] {
        var kept: [String: String] = [:]
        var skipped: Set<String> = []
        for question in questions where question.kind != .endGroup && question.kind != .endRepeat {
            func problem(_ error: DomainError) { problems.append(AnswerProblem(question: question.name, instance: instance, error: error)) }
            let visible = scope.merging(kept) { $1 }
            let inSkippedGroup = question.path.contains { skipped.contains($0) }
            let relevant = !inSkippedGroup && (question.relevant?.evaluate(visible, today: today).isTrue ?? true)
            guard relevant else {
                if question.kind == .beginGroup || question.kind == .beginRepeat { skipped.insert(question.name) }
                continue
            }
            let labelArguments = ["question": form.label(of: question, language)]
            switch question.kind {
            case .beginGroup, .beginRepeat:
                kept["__relevant." + question.name] = "1"
                continue
            case .calculate:
                switch question.calculation?.evaluate(visible, today: today) {
                case .number(let n)? where !n.isFinite: break  // a sum over a missing answer: nothing to keep
                case let value? where !value.text.isEmpty: kept[question.name] = value.text
                default: break
                }
                continue
            case .note:
                continue
            default:
                break
            }
            guard let raw = given[question.name], !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                if question.required { problem(DomainError("needs.answer.required", field: question.name, arguments: labelArguments)) }
                continue
            }
            let value: String
            switch normalised(raw, for: question) {
            case .success(let v): value = v
            case .failure(let error):
                problem(DomainError(error.code, field: question.name, arguments: error.arguments.merging(labelArguments) { $1 }))
                continue
            }
            if let constraint = question.constraint, !constraint.evaluate(visible.merging([question.name: value]) { $1 }, current: value, today: today).isTrue {
                if let message = FormDefinition.text(question.constraintMessage, language, default: form.defaultLanguage) {
                    problem(DomainError("needs.answer.constraint-message", field: question.name, arguments: labelArguments.merging(["message": message]) { $1 }))
                } else {
                    problem(DomainError("needs.answer.constraint", field: question.name, arguments: labelArguments.merging(["value": value]) { $1 }))
                }
                continue
            }
            kept[question.name] = value
            if question.orOther, value.split(separator: " ").contains("other"),
               let other = given[question.name + "_other"]?.trimmingCharacters(in: .whitespacesAndNewlines), !other.isEmpty {
                kept[question.name + "_other"] = other
            }
        }
        return kept
    }
}

/// How a respondent agreed to be linked to the people registry.
public enum ConsentMethod: String, Sendable, CaseIterable, Codable {
    case spoken, written, interpreter
}

public struct RespondentConsent: Sendable, Equatable {
    public let method: ConsentMethod
    public let recordedAt: Date
}
