import FluentKit
import Foundation
import Kernel
import SQLKit

/// The `needs_submissions` table's JSON columns as each database writes and reads them: `jsonb` with
/// its `->>` on PostgreSQL, SQLite's own binary JSON (JSONB) with `json_extract` on SQLite — read
/// without parsing text, which makes a cross-tab over 100,000 submissions several times faster.
/// Submissions are read and written with SQL, not a Fluent model, because the analysis reads single
/// answers inside the JSON.
struct AnswerStore {
    let sql: any SQLDatabase
    var isPostgres: Bool { sql.dialect.name == "postgresql" }

    /// One answer, as text (NULL when not given).
    func answer(_ question: String) -> SQLQueryString {
        isPostgres ? "(answers ->> \(bind: question))" : "json_extract(answers, \(bind: "$.\"" + question + "\""))"
    }

    /// The submissions, each once per entry of the repeat `name` (as `entry`); none without entries.
    func entries(_ name: String) -> SQLQueryString {
        isPostgres ? "needs_submissions CROSS JOIN LATERAL jsonb_array_elements(repeats -> \(bind: name)) AS entry(value)"
            : "needs_submissions, json_each(repeats, \(bind: "$.\"" + name + "\"")) AS entry"
    }

    /// One answer inside the repeat entry of `entries`.
    func entryAnswer(_ question: String) -> SQLQueryString {
        isPostgres ? "(entry.value ->> \(bind: question))" : "json_extract(entry.value, \(bind: "$.\"" + question + "\""))"
    }

    /// A subquery of answers, for grouping. On SQLite its `LIMIT` keeps it from being merged into the
    /// grouping query: merged, SQLite's sorter carried each submission's whole answers document and
    /// read the answers out of it again after sorting — 1.7–2.8 s for a cross-tab over 1,000,000
    /// submissions on a quiet machine, 1.1–1.9 s kept apart (docs/PERFORMANCE.md).
    func grouped(_ subquery: SQLQueryString) -> SQLQueryString {
        isPostgres ? "(\(subquery)) AS answered" : "(\(subquery) LIMIT -1) AS answered"
    }

    /// Runs a grouping query on one connection; on SQLite with helper threads for its sorter, one per
    /// core (`PRAGMA threads`, off by default): a cross-tab's `GROUP BY` sorts a row per submission, a
    /// third of its time over a million, and sorted in parallel the whole count takes a third less
    /// (docs/PERFORMANCE.md). PostgreSQL plans its own parallel workers.
    func sorting<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !isPostgres else { return try await body(sql) }
        return try await db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("PRAGMA threads = \(unsafeRaw: String(ProcessInfo.processInfo.activeProcessorCount))").run()
            return try await body(sql)
        }
    }

    /// A number answer as a number, for weights (checked to be a number when it was stored).
    func number(_ question: String) -> SQLQueryString {
        "CAST(\(answer(question)) AS \(unsafeRaw: real))"
    }

    /// The type name of a floating-point number.
    var real: String { isPostgres ? "DOUBLE PRECISION" : "REAL" }

    /// A JSON column read back as text.
    func text(_ column: String) -> SQLQueryString {
        isPostgres ? "CAST(\(unsafeRaw: column) AS TEXT) AS \(unsafeRaw: column)" : "json(\(unsafeRaw: column)) AS \(unsafeRaw: column)"
    }

    /// One submission's answers as a JSON object (UTF-8). Written by hand: JSONEncoder took a quarter
    /// of a 100,000-row import's time for these flat objects of text.
    static func encode(_ values: [String: String]) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(values.count * 32)
        encode(values, into: &json)
        return json
    }

    /// A submission's repeats: each repeat's name, and the answers of each of its entries.
    static func encode(_ repeats: [String: [[String: String]]]) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (index, (name, entries)) in repeats.enumerated() {
            if index > 0 { JSONText.append(",", to: &json) }
            JSONText.quote(name, into: &json)
            JSONText.append(":[", to: &json)
            for (position, entry) in entries.enumerated() {
                if position > 0 { JSONText.append(",", to: &json) }
                encode(entry, into: &json)
            }
            JSONText.append("]", to: &json)
        }
        JSONText.append("}", to: &json)
        return json
    }

    private static func encode(_ values: [String: String], into json: inout [UInt8]) {
        // Punctuation as bytes: appended as text, a string's bytes a piece, it was a sixth of making the rows.
        json.append(UInt8(ascii: "{"))
        for (index, (key, value)) in values.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.quote(key, into: &json)
            json.append(UInt8(ascii: ":"))
            JSONText.quote(value, into: &json)
        }
        json.append(UInt8(ascii: "}"))
    }
}
