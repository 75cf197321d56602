import FluentKit
import Foundation
import SQLKit

/// A count for one thing (a bank, a group, a district) in one month ("2026-11"): what the dashboard adds
/// up into periods, so a year's figures come from one query however the year is cut.
public struct MonthCount: Sendable, Equatable {
    public let key: UUID?
    public let month: String
    public let count: Int

    /// Runs a query that selects `key`, `month` and `count`.
    public static func read(_ query: SQLQueryString, on db: any Database) async throws -> [MonthCount] {
        try await (db as! any SQLDatabase).raw(query).all().map {
            MonthCount(key: try $0.decode(column: "key", as: UUID?.self), month: try $0.decode(column: "month", as: String.self),
                       count: try $0.decode(column: "count", as: Int.self))
        }
    }
}
