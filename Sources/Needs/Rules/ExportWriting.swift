import Foundation

/// Submissions written as KoboToolbox exports them ("XML values and headers", `/` between groups, `;`
/// between quoted cells): the download staff open in a spreadsheet or take to other tools, and the
/// shape `ExportReading` reads back.
public enum ExportWriting {
    public struct Row: Sendable {
        public let key: String
        public let submittedAt: Date?
        public let answers: Answers

        public init(key: String, submittedAt: Date?, answers: Answers) {
            self.key = key
            self.submittedAt = submittedAt
            self.answers = answers
        }
    }

    /// The columns: each question with its groups, a multiple choice followed by a 0/1 column per
    /// choice, `<name>_other` after an `or_other`, then KoboToolbox's own `_uuid`, `_submission_time`, `_index`.
    enum Column {
        case answer(String)
        case chosen(String, choice: String)
    }

    static func columns(_ form: FormDefinition) -> [(header: String, column: Column)] {
        var columns: [(String, Column)] = []
        for question in form.questions where (question.kind.isAsked || question.kind == .calculate) && form.repeatName(of: question) == nil {
            let header = (question.path + [question.name]).joined(separator: "/")
            columns.append((header, .answer(question.name)))
            if question.kind == .selectMultiple {
                let names = (form.choices[question.choiceList ?? ""] ?? []).map(\.name) + (question.orOther ? ["other"] : [])
                columns += names.map { (header + "/" + $0, .chosen(question.name, choice: $0)) }
            }
            if question.orOther { columns.append((header + "_other", .answer(question.name + "_other"))) }
        }
        return columns
    }

    public static func kobo(_ form: FormDefinition, _ rows: [Row]) -> Data {
        let columns = columns(form)
        var text = (columns.map(\.header) + ["_uuid", "_submission_time", "_index"]).map(quoted).joined(separator: ";") + "\r\n"
        text.reserveCapacity(rows.count * 600)
        let time = ISO8601DateFormatter()
        time.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        for (index, row) in rows.enumerated() {
            var cells: [String] = []
            cells.reserveCapacity(columns.count + 3)
            for (_, column) in columns {
                switch column {
                case .answer(let name):
                    cells.append(row.answers.values[name] ?? "")
                case .chosen(let name, let choice):
                    let answer = row.answers.values[name]
                    cells.append(answer.map { $0.split(separator: " ").contains(Substring(choice)) ? "1" : "0" } ?? "")
                }
            }
            cells += [row.key, row.submittedAt.map(time.string) ?? "", String(index + 1)]
            text += cells.map(quoted).joined(separator: ";") + "\r\n"
        }
        return Data(text.utf8)
    }

    static func quoted(_ cell: String) -> String {
        "\"" + (cell.contains("\"") ? cell.replacingOccurrences(of: "\"", with: "\"\"") : cell) + "\""
    }
}
