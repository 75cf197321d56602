import Foundation
import Kernel
import SQLKit

/// Many rows handed to the database as one JSON array in a single bind, and unpacked there
/// (`jsonb_each` on SQLite, `jsonb_array_elements` on PostgreSQL): `SELECT <the columns> FROM <the rows>`.
/// A ledger batch of a thousand exchanges written as `VALUES (?, ?, …)` was some forty thousand binds,
/// each converted, placed and bound one by one, in statements SQLite parsed anew each time — most of
/// a bulk load's time (docs/PERFORMANCE.md, "The generator's binds").
public struct JSONRows: Sendable {
    public enum Kind: Sendable {
        case uuid, integer, text
        /// A moment, carried as seconds since 1970: stored as SQLite stores a bound `Date` (a REAL), as a timestamp on PostgreSQL.
        case time
        /// A JSON document, carried as it is and stored as the database's binary JSON (SQLite's JSONB, PostgreSQL's `jsonb`).
        case jsonb
    }

    /// A value of a row. UUIDs are written as SQLite keeps them (upper-case text); PostgreSQL reads that too.
    public enum Value {
        case uuid(UUID?)
        case integer(Int?)
        case text(String?)
        case time(Date?)
        /// JSON text as UTF-8, which must be valid: it becomes part of the rows' JSON as it is.
        case jsonb([UInt8]?)
    }

    private let columns: [(name: String, kind: Kind)]
    private var json: [UInt8] = []
    public private(set) var count = 0

    /// Rows with these columns, in this order.
    public init(_ columns: [(name: String, kind: Kind)]) {
        self.columns = columns
    }

    /// A row's values, in the columns' order, written straight into the rows' JSON.
    public mutating func append(_ values: Value...) {
        precondition(values.count == columns.count, "a row has a value for each column")
        if count > 0 { json.append(UInt8(ascii: ",")) }
        json.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            switch value {
            case .uuid(let id?): JSONText.quote(id.upperText, into: &json)
            case .integer(let number?): JSONText.append(String(number), to: &json)
            case .text(let text?): JSONText.quote(text, into: &json)
            case .time(let moment?): JSONText.append(String(moment.timeIntervalSince1970), to: &json)
            case .jsonb(let document?): json.append(contentsOf: document)
            case .uuid(nil), .integer(nil), .text(nil), .time(nil), .jsonb(nil): JSONText.append("null", to: &json)
            }
        }
        json.append(UInt8(ascii: "]"))
        count += 1
    }

    /// `SELECT` with the rows' columns, in order and named, each cast to its kind on PostgreSQL, then
    /// `extra` (more columns, the same for every row: `", \(bind: now)"`), `FROM` the rows. It ends in
    /// `WHERE true` so that an `INSERT … SELECT` may go on with `ON CONFLICT`: without a `WHERE`, SQLite
    /// would read that ON as the join's.
    public func select(_ extra: SQLQueryString = "", on sql: any SQLDatabase) -> SQLQueryString {
        let sqlite = sql.dialect.name == "sqlite"
        let columns = self.columns.enumerated().map { index, column -> String in
            let value = "value ->> \(index)"
            switch (sqlite, column.kind) {
            case (true, .jsonb): return "jsonb_extract(value, '$[\(index)]') AS \(column.name)"
            case (false, .jsonb): return "nullif(value -> \(index), 'null'::jsonb) AS \(column.name)"
            case (false, .time): return "to_timestamp((\(value))::double precision) AS \(column.name)"
            case (true, _), (false, .text): return "\(value) AS \(column.name)"
            case (false, .uuid): return "(\(value))::uuid AS \(column.name)"
            case (false, .integer): return "(\(value))::bigint AS \(column.name)"
            }
        }.joined(separator: ", ")
        let rows = "[" + String(decoding: json, as: UTF8.self) + "]"
        // Each row as binary JSON, parsed once, whose values are then read without scanning its text again
        // for each (as PostgreSQL's `json` would) or rendering it as text first (as SQLite's `json_each` would).
        let source: SQLQueryString = sqlite ? "jsonb_each(\(bind: rows))" : "jsonb_array_elements(\(bind: rows)::jsonb) AS r(value)"
        return "SELECT \(unsafeRaw: columns)\(extra as any SQLExpression) FROM \(source as any SQLExpression) WHERE true"
    }
}
