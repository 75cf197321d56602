import Foundation
import Kernel

/// Where an export comes from.
public enum ExportSource: String, Sendable, CaseIterable {
    /// KoboToolbox: `;` between quoted cells, `group/question` headers, a multiple choice as one
    /// space-separated column plus `question/choice` columns of 0 and 1, `_uuid`, `_submission_time`, `_index`.
    case kobo
    /// ODK Central: `,` between cells, `group-question` headers, `SubmissionDate`, `KEY`; each repeat in
    /// its own file whose rows name their submission in `PARENT_KEY`.
    case odk
}

/// A file of an export, by the name it came with (the name problems are reported under).
public struct ExportFile: Sendable {
    public let name: String
    public let data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }
}

/// A submission read from an export or typed in: its instance id (without `uuid:`), when it was
/// submitted, its answers outside repeats as they are stored (a JSON object, written as the row is read:
/// a dictionary per row held a 100,000-row import's answers twice over), the entries of its repeats, the
/// answers that the counts kept in memory need (`AnswerCounts`), and where in the file it was.
public struct IncomingSubmission: Sendable {
    public var key: String
    public var submittedAt: Date?
    public var values: [UInt8]
    public var repeats: [String: [[String: String]]]
    public var counted: [String: String]
    public var line: Int

    /// Answers typed in or sent, all of them counted.
    init(key: String, submittedAt: Date?, answers: Answers, line: Int) {
        self.init(key: key, submittedAt: submittedAt, values: AnswerStore.encode(answers.values), repeats: answers.repeats,
                  counted: answers.values, line: line)
    }

    init(key: String, submittedAt: Date?, values: [UInt8], repeats: [String: [[String: String]]], counted: [String: String], line: Int) {
        self.key = key
        self.submittedAt = submittedAt
        self.values = values
        self.repeats = repeats
        self.counted = counted
        self.line = line
    }

    /// What the counts add for it.
    var countedAnswers: Answers { Answers(values: counted, repeats: repeats) }
}

/// Reads a KoboToolbox or ODK Central export of a form into submissions. Every answer is checked for
/// its type and choices (the form's other rules were enforced where it was collected); a file with any
/// problem throws `ImportFailed` naming the file and line of each.
public enum ExportReading {
    /// `counting`: the questions whose answers each submission keeps in `counted`.
    public static func read(_ files: [ExportFile], source: ExportSource, form: FormDefinition,
                            counting: Set<String> = []) throws -> [IncomingSubmission] {
        var problems: [ImportFailed.Problem] = []
        let tables = files.map { (file: $0, text: DelimitedText($0.data)) }
        guard let mainIndex = tables.firstIndex(where: { !$0.text.header.contains("PARENT_KEY") }) else {
            throw ImportFailed(problems: [.init(line: 1, errors: [DomainError("needs.import.main-file-missing")], file: files.first?.name)])
        }
        let main = tables[mainIndex]
        var submissions = readTable(main.text, file: main.file.name, source: source, form: form, repeatName: nil, counting: counting,
                                    problems: &problems)
        // The submissions by key, for the repeats' files to find theirs in (none in most exports).
        var byKey: [String: Int] = [:]
        if tables.count > 1 { for (index, submission) in submissions.enumerated() { byKey[submission.key] = index } }
        for (index, table) in tables.enumerated() where index != mainIndex {
            let rows = readTable(table.text, file: table.file.name, source: source, form: form, repeatName: "", counting: [], problems: &problems)
            for row in rows {
                // A nested repeat's PARENT_KEY is its parent instance's KEY, which starts with the submission's.
                let root = String(row.key.split(separator: "/").first ?? "")
                guard let owner = byKey[root], let repeatName = row.repeats.keys.first else {
                    problems.append(.init(line: row.line, errors: [DomainError("needs.import.parent-unknown", arguments: ["key": row.key])], file: table.file.name))
                    continue
                }
                submissions[owner].repeats[repeatName, default: []].append(contentsOf: row.repeats[repeatName] ?? [])
            }
        }
        if !problems.isEmpty { throw ImportFailed(problems: problems) }
        return submissions
    }

    /// How a header names a question: with its groups (`household/size` or `household-size`) or alone.
    static func columnNames(_ form: FormDefinition, source: ExportSource) -> [String: FormDefinition.Question] {
        let separator = source == .kobo ? "/" : "-"
        var names: [String: FormDefinition.Question] = [:]
        for question in form.questions where question.kind.isAsked || question.kind == .calculate {
            names[question.name] = question
            names[(question.path + [question.name]).joined(separator: separator)] = question
        }
        return names
    }

    /// The rows of one file. For a repeat's file (`repeatName` not nil) each row's key is its
    /// PARENT_KEY and its answers are one instance, under the repeat its questions are in.
    static func readTable(_ table: DelimitedText, file: String, source: ExportSource, form: FormDefinition, repeatName: String?,
                          counting: Set<String>, problems: inout [ImportFailed.Problem]) -> [IncomingSubmission] {
        let questions = columnNames(form, source: source)
        let check = AnswerCheck(form)
        let header = table.header.map { $0.trimmingCharacters(in: .whitespaces) }
        var answerColumns: [(index: Int, question: FormDefinition.Question)] = []
        var otherColumns: [(index: Int, name: String)] = []
        var choiceColumns: [String: (question: FormDefinition.Question, columns: [(index: Int, choice: String)])] = [:]
        var geopointParts: [String: (question: FormDefinition.Question, parts: [Int])] = [:]
        for (index, name) in header.enumerated() {
            if let question = questions[name] {
                answerColumns.append((index, question))
            } else if name.hasSuffix("_other"), let base = questions[String(name.dropLast(6))], base.orOther {
                otherColumns.append((index, base.name + "_other"))
            } else if let slash = name.lastIndex(of: "/"), let question = questions[String(name[..<slash])], question.kind == .selectMultiple {
                choiceColumns[question.name, default: (question, [])].columns.append((index, String(name[name.index(after: slash)...])))
            } else if source == .odk, let dash = name.lastIndex(of: "-"), let question = questions[String(name[..<dash])], question.kind == .geopoint {
                let part = ["Latitude", "Longitude", "Altitude", "Accuracy"].firstIndex(of: String(name[name.index(after: dash)...]))
                if let part { geopointParts[question.name, default: (question, [-1, -1, -1, -1])].parts[part] = index }
            }
        }
        let keyColumn = repeatName != nil ? header.firstIndex(of: "PARENT_KEY")
            : source == .kobo ? header.firstIndex(of: "_uuid") ?? header.firstIndex(of: "meta/instanceID")
            : header.firstIndex(of: "KEY") ?? header.firstIndex(of: "meta-instanceID")
        let timeColumn = header.firstIndex(of: source == .kobo ? "_submission_time" : "SubmissionDate")
        guard let keyColumn else {
            let column = repeatName != nil ? "PARENT_KEY" : source == .kobo ? "_uuid" : "KEY"
            problems.append(.init(line: 1, errors: [DomainError("needs.import.column-missing", arguments: ["column": column])], file: file))
            return []
        }
        let answered = Set(answerColumns.map(\.question.name)).union(choiceColumns.keys).union(geopointParts.keys)
        guard !answered.isEmpty else {
            problems.append(.init(line: 1, errors: [DomainError("needs.import.no-questions")], file: file))
            return []
        }
        let repeatOfFile: String? = repeatName.map { _ in
            answered.compactMap { form.question($0).flatMap(form.repeatName(of:)) }.sorted().first ?? ""
        }
        let keyHeader = header[keyColumn]
        let slots = AnswerSlot.slots(answers: answerColumns, choices: choiceColumns, geopoints: geopointParts, others: otherColumns,
                                     check: check, counting: counting)
        let read: @Sendable (DelimitedText.Record) -> RowOutcome = { record in record.withCells { cells in
            var errors: [DomainError] = []
            var found: [(slot: Int, value: String)] = []
            found.reserveCapacity(slots.count)
            for (index, slot) in slots.enumerated() {
                switch slot.value(cells, check) {
                case .success(let value?): found.append((index, value))
                case .success(nil): break
                case .failure(let error):
                    errors.append(DomainError(error.code, field: slot.name, arguments: error.arguments.merging(["question": slot.name]) { $1 }))
                }
            }
            let key = instanceKey(cells.text(keyColumn))
            if key.isEmpty { errors.append(DomainError("needs.import.key-missing", arguments: ["column": keyHeader])) }
            if !errors.isEmpty { return .refused(ImportFailed.Problem(line: record.line, errors: errors, file: file)) }
            let submittedAt = timeColumn.flatMap { SubmissionTime.parse(cells.trimmed($0)) }
            if let repeatOfFile {
                let entry = Dictionary(found.map { (slots[$0.slot].name, $0.value) }) { $1 }
                return .read(IncomingSubmission(key: key, submittedAt: submittedAt, values: [], repeats: [repeatOfFile: [entry]], counted: [:],
                                                line: record.line))
            }
            var counted: [String: String] = [:]
            for (slot, value) in found where slots[slot].counted { counted[slots[slot].name] = value }
            return .read(IncomingSubmission(key: key, submittedAt: submittedAt, values: AnswerSlot.json(found, slots), repeats: [:],
                                            counted: counted, line: record.line))
        } }
        var submissions: [IncomingSubmission] = []
        for result in table.mapParts({ $0.map(read) }).joined() {
            switch result {
            case .read(let submission): submissions.append(submission)
            case .refused(let problem): problems.append(problem)
            }
        }
        return submissions
    }

    /// The CSV files of an ODK Central export (.csv.zip): the submissions and one file per repeat.
    public static func files(zip data: Data) throws -> [ExportFile] {
        let archive: ZipBytes
        do { archive = try ZipBytes(data) } catch { throw DomainError("needs.import.unreadable") }
        var files: [ExportFile] = []
        for part in archive.parts where part.path.lowercased().hasSuffix(".csv") {
            guard let content = try? archive.read(part) else { throw DomainError("needs.import.unreadable") }
            files.append(ExportFile(name: part.path, data: content))
        }
        guard !files.isEmpty else { throw DomainError("needs.import.unreadable") }
        return files.sorted { $0.name < $1.name }
    }

    /// `uuid:0b5…` and `0b5…` are the same submission, whichever tool exported it.
    public static func instanceKey(_ text: String) -> String {
        text.hasPrefix("uuid:") ? String(text.dropFirst(5)) : text
    }
}

/// One answer of an export's rows and the columns it is read from: its question's own (checked; the
/// last answered wins), else a multiple choice's `0`/`1` columns or a place's four parts, and an
/// `or_other` question's text (`<name>_other`, kept as written). Answers are found slot by slot, in the
/// order of the header, and written as the stored JSON as they are found. A class: each row reads every
/// slot, and a copy of a struct of texts and arrays for each (all retained and released) was a third of
/// reading an export.
final class AnswerSlot: Sendable {
    let name: String
    let question: AnswerCheck.Asked?
    /// `"name":` as JSON.
    let jsonKey: [UInt8]
    /// Whether the counts kept in memory need it.
    let counted: Bool
    let columns: [Int]
    let choices: [(index: Int, choice: String)]
    let geopoint: [Int]
    let others: [Int]

    private init(_ draft: Draft) {
        (name, question, counted, columns, choices, geopoint, others) =
            (draft.name, draft.question, draft.counted, draft.columns, draft.choices, draft.geopoint, draft.others)
        var key: [UInt8] = []
        JSONText.quote(name, into: &key)
        key.append(UInt8(ascii: ":"))
        jsonKey = key
    }

    /// A slot while the header is read.
    private struct Draft {
        let name: String
        let question: AnswerCheck.Asked?
        let counted: Bool
        var columns: [Int] = []
        var choices: [(index: Int, choice: String)] = []
        var geopoint: [Int] = []
        var others: [Int] = []
    }

    static func slots(answers: [(index: Int, question: FormDefinition.Question)],
                      choices: [String: (question: FormDefinition.Question, columns: [(index: Int, choice: String)])],
                      geopoints: [String: (question: FormDefinition.Question, parts: [Int])], others: [(index: Int, name: String)],
                      check: AnswerCheck, counting: Set<String>) -> [AnswerSlot] {
        var slots: [Draft] = [], byName: [String: Int] = [:]
        func slot(_ name: String, _ question: FormDefinition.Question?) -> Int {
            if let index = byName[name] { return index }
            byName[name] = slots.count
            slots.append(Draft(name: name, question: question.map(check.asked), counted: counting.contains(name)))
            return slots.count - 1
        }
        for (index, question) in answers { slots[slot(question.name, question)].columns.append(index) }
        for (name, set) in choices.sorted(by: { $0.key < $1.key }) { slots[slot(name, set.question)].choices = set.columns }
        for (name, point) in geopoints.sorted(by: { $0.key < $1.key }) { slots[slot(name, point.question)].geopoint = point.parts }
        for (index, name) in others { slots[slot(name, nil)].others.append(index) }
        return slots.map(AnswerSlot.init)
    }

    /// The answer in a row: nil when it has none; a failure when a cell breaks its question's rules.
    func value(_ cells: DelimitedText.Cells, _ check: AnswerCheck) -> Result<String?, DomainError> {
        var value: String?
        if let question {
            func checked(_ raw: String) -> Result<String?, DomainError>? {
                switch check.normalised(raw, for: question) {
                case .success(let checked): value = checked; return nil
                case .failure(let error): return .failure(error)
                }
            }
            for column in columns where !cells.isBlank(column) {
                if let refused = checked(cells.text(column)) { return refused }
            }
            // Its parts' columns, when its own column has no answer.
            let parts = value != nil ? [] : !choices.isEmpty ? choices.filter { cells.isCharacter($0.index, "1") }.map(\.choice)
                : geopoint.map(cells.text).filter { !$0.isEmpty }
            if !parts.isEmpty, let refused = checked(parts.joined(separator: " ")) { return refused }
        }
        for column in others where !cells.isBlank(column) { value = cells.text(column) }
        return .success(value)
    }

    /// A row's answers as the stored JSON object.
    static func json(_ found: [(slot: Int, value: String)], _ slots: [AnswerSlot]) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        json.reserveCapacity(found.reduce(2) { $0 + slots[$1.slot].jsonKey.count + $1.value.utf8.count + 3 })
        for (position, (slot, value)) in found.enumerated() {
            if position > 0 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: slots[slot].jsonKey)
            JSONText.quote(value, into: &json)
        }
        json.append(UInt8(ascii: "}"))
        return json
    }
}

/// Submission times as the tools write them: `2024-03-05T10:22:13`, with or without fractions of a
/// second and a zone (`Z`, `+06:00`); without a zone the time is UTC, as KoboToolbox means it.
enum SubmissionTime {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 19 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2), let mi = number(14, 2),
              let s = number(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        }
        var offset = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), bytes.count >= index + 6,
           let oh = number(index + 1, 2), let om = number(index + 4, 2) {
            offset = (oh * 3600 + om * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        }
        // Days from 1970-01-01 by the civil-from-days inverse (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + h * 3600 + mi * 60 + s - offset))
    }
}

/// A row of an export: a submission, or what is wrong with it.
enum RowOutcome: Sendable {
    case read(IncomingSubmission)
    case refused(ImportFailed.Problem)
}
