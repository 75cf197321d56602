import FluentKit
import Foundation
import SQLKit

/// Many values in one statement, each bound, never spliced into the SQL.
extension SQLQueryString {
    /// `?, ?, ?`: values bound one by one, for `IN (…)` and the like.
    public static func list<T: Encodable & Sendable>(_ values: [T]) -> SQLQueryString {
        var list = SQLQueryString("")
        for (index, value) in values.enumerated() {
            list.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            list.appendInterpolation(bind: value)
        }
        return list
    }

    /// `(a = ? AND b = ?) OR (a = ? AND b = ?) …`: each term one lookup in a unique index on (a, b).
    public static func anyPair<A: Encodable & Sendable, B: Encodable & Sendable>(_ a: String, _ b: String, _ pairs: [(A, B)]) -> SQLQueryString {
        var terms = SQLQueryString("")
        for (index, (x, y)) in pairs.enumerated() {
            terms.appendInterpolation("\(unsafeRaw: index == 0 ? "" : " OR ")(\(ident: a) = \(bind: x) AND \(ident: b) = \(bind: y))" as SQLQueryString)
        }
        return terms
    }
}

extension Database {
    /// How many rows of `table` each value of `column` has, counted by the database: loading the rows
    /// to count them held hundreds of megabytes at national scale.
    public func rowCounts(_ table: String, by column: String) async throws -> [UUID: Int] {
        Dictionary(uniqueKeysWithValues: try await (self as! any SQLDatabase)
            .raw("SELECT \(ident: column) AS key, COUNT(*) AS n FROM \(ident: table) GROUP BY \(ident: column)").all()
            .map { (try $0.decode(column: "key", as: UUID.self), try $0.decode(column: "n", as: Int.self)) })
    }
}
