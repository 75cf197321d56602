import FluentKit
import Foundation
import Kernel
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
    /// One page, in name order, of the organisations of `kind` with a row in `table` keyed by their id (a
    /// time bank's settings, a producer group), and how many there are: read by the index on (kind, name),
    /// not by loading or sorting every one (2,000 producer groups at national scale took 140 ms a page).
    public func organisationPage(_ table: String, kind: OrganisationKind, page: PageQuery) async throws -> (ids: [UUID], total: Int) {
        let sql = self as! any SQLDatabase
        let ids = try await sql.raw("""
            SELECT o.id FROM organisations o JOIN \(ident: table) t ON t.id = o.id WHERE o.kind = \(bind: kind.rawValue)
            ORDER BY o.kind, o.name, o.id LIMIT \(bind: page.per) OFFSET \(bind: page.offset)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        return (ids, total)
    }

    /// How many rows of `table` each of `keys` has in `column`, counted by the database: loading the
    /// rows to count them held hundreds of megabytes at national scale.
    public func rowCounts(_ table: String, by column: String, in keys: [UUID]) async throws -> [UUID: Int] {
        guard !keys.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await (self as! any SQLDatabase).raw("""
            SELECT \(ident: column) AS key, COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) IN (\(SQLQueryString.list(keys))) GROUP BY \(ident: column)
            """).all().map { (try $0.decode(column: "key", as: UUID.self), try $0.decode(column: "n", as: Int.self)) })
    }
}
