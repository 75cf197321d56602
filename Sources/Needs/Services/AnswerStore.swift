import Foundation
import SQLKit

/// The `needs_submissions` table's JSON columns as each database writes and reads them: `jsonb` with
/// its `->>` on PostgreSQL, text with `json_extract` on SQLite. Submissions are read and written with
/// SQL, not a Fluent model, because the analysis reads single answers inside the JSON.
struct AnswerStore {
    let sql: any SQLDatabase
    var isPostgres: Bool { sql.dialect.name == "postgresql" }

    /// A JSON document to store.
    func json(_ text: String?) -> SQLQueryString {
        guard let text else { return "NULL" }
        return isPostgres ? "CAST(\(bind: text) AS JSONB)" : "\(bind: text)"
    }

    /// One answer, as text (NULL when not given).
    func answer(_ question: String) -> SQLQueryString {
        isPostgres ? "(answers ->> \(bind: question))" : "json_extract(answers, \(bind: "$.\"" + question + "\""))"
    }

    /// A number answer as a number, for weights (checked to be a number when it was stored).
    func number(_ question: String) -> SQLQueryString {
        "CAST(\(answer(question)) AS \(unsafeRaw: real))"
    }

    /// The type name of a floating-point number.
    var real: String { isPostgres ? "DOUBLE PRECISION" : "REAL" }

    /// A JSON column read back as text.
    func text(_ column: String) -> SQLQueryString {
        isPostgres ? "CAST(\(unsafeRaw: column) AS TEXT) AS \(unsafeRaw: column)" : "\(unsafeRaw: column)"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
