import FluentKit
import Foundation
import Kernel
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

/// Counts kept by month for the network's dashboard, each context adding to them in the transaction
/// that changes what they count: a country's figures for a year are a few thousand rows, where counting
/// the registry or the ledger would read hundreds of thousands.
public enum KeptCounts {
    /// What is counted; `key` is the bank, group or district it is counted for.
    public enum Figure: String, Sendable {
        case timeBankMembers = "timebank-members"
        case producerMembers = "producer-members"
        case minutesEarned = "minutes-earned"
        case exchangesBetweenBanks = "exchanges-between-banks"
        case womenReached = "women-reached"
    }

    public struct Change: Hashable, Sendable, Comparable {
        public let figure: Figure
        public let key: UUID
        public let month: String

        public init(_ figure: Figure, key: UUID, month: String) {
            self.figure = figure
            self.key = key
            self.month = String(month.prefix(7))
        }

        public static func < (a: Change, b: Change) -> Bool {
            (a.figure.rawValue, a.month, a.key) < (b.figure.rawValue, b.month, b.key)
        }
    }

    /// Adds each change's amount, in one statement, in key order. Bookings on different app servers
    /// add to the same rows (a bank's month); each upsert locks its rows in the order given, and in a
    /// dictionary's order — which differs from process to process — two of them deadlocked on PostgreSQL.
    public static func add(_ changes: [Change: Int], on db: any Database) async throws {
        let changes = changes.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        guard !changes.isEmpty else { return }
        var query = SQLQueryString("INSERT INTO network_month_counts (figure, key_id, month, count) VALUES ")
        for (index, (change, amount)) in changes.enumerated() {
            query.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            query.appendInterpolation("(\(bind: change.figure.rawValue), \(bind: change.key), \(bind: change.month), CAST(\(bind: amount) AS BIGINT))" as SQLQueryString)
        }
        query.appendInterpolation(unsafeRaw: " ON CONFLICT (figure, month, key_id) DO UPDATE SET count = network_month_counts.count + excluded.count")
        try await (db as! any SQLDatabase).raw(query).run()
    }

    /// Counts a figure afresh from what it counts: `source` selects `key`, `month` and `count`.
    public static func refill(_ figure: Figure, from source: SQLQueryString, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM network_month_counts WHERE figure = \(bind: figure.rawValue)").run()
        try await sql.raw("""
            INSERT INTO network_month_counts (figure, key_id, month, count)
            SELECT \(bind: figure.rawValue), s.key, s.month, s.count FROM (\(source)) s WHERE s.key IS NOT NULL
            """).run()
    }

    /// The whole months of `from`–`to` (days), if any: the rest of the period is a part of its first or
    /// last month, counted from finer rows.
    public static func wholeMonths(from: String, to: String) -> (first: String, last: String)? {
        let first = from.hasSuffix("-01") ? String(from.prefix(7)) : String(monthAfter(from).prefix(7))
        let last = BishkekCalendar.adding(days: 1, to: to).hasSuffix("-01") ? String(to.prefix(7)) : String(to.prefix(7)).previousMonth
        return first <= last ? (first, last) : nil
    }

    /// The first day of the month after the one `day` is in.
    public static func monthAfter(_ day: String) -> String {
        BishkekCalendar.adding(days: 32, to: String(day.prefix(7)) + "-01").prefix(7) + "-01"
    }

    /// Months before a period's first, added up into one.
    public static let earlier = "0000-00"

    /// A figure's months up to a day by district, as below but through a day rather than a whole month:
    /// the kept months through the day's month, less the rows of `source` (a table, joined to what gives
    /// their district) that came in that month after the day. `column` is their day, `district` their
    /// district, both columns of `source`.
    public static func byDistrict(_ figure: Figure, from first: String, throughDay day: String,
                                  less source: SQLQueryString, day column: String, district: String, on db: any Database) async throws -> [MonthCount] {
        try await byDistrict(figure, from: first, through: String(day.prefix(7)), on: db) + MonthCount.read("""
            SELECT \(unsafeRaw: district) AS key, SUBSTR(\(unsafeRaw: column), 1, 7) AS month, -COUNT(*) AS count FROM \(source)
            WHERE \(unsafeRaw: column) > \(bind: day) AND \(unsafeRaw: column) < \(bind: monthAfter(day)) GROUP BY 1, 2
            """, on: db)
    }

    /// A figure's months up to `last` ("2026-01") by district: those from `first` on each, the ones before
    /// added up as `earlier`. Figures kept for an organisation are counted in its district; grouped by
    /// the database, so a country's banks come back as a few rows a district.
    /// `withEarlier: false` leaves out the months before `first`: a figure of what happened in a period
    /// (minutes earned) needs none of the years before it, a standing one (members) all of them.
    public static func byDistrict(_ figure: Figure, from first: String, through last: String, withEarlier: Bool = true,
                                  on db: any Database) async throws -> [MonthCount] {
        let month: SQLQueryString = "CASE WHEN c.month < \(bind: first) THEN '\(unsafeRaw: earlier)' ELSE c.month END"
        let district: SQLQueryString = figure == .womenReached ? "c.key_id" : "o.district_id"
        let organisations: SQLQueryString = figure == .womenReached ? "" : "JOIN organisations o ON o.id = c.key_id"
        let since: SQLQueryString = withEarlier ? "" : "AND c.month >= \(bind: first)"
        return try await MonthCount.read("""
            SELECT \(district) AS key, \(month) AS month, CAST(SUM(c.count) AS BIGINT) AS count FROM network_month_counts c \(organisations)
            WHERE c.figure = \(bind: figure.rawValue) AND c.month <= \(bind: last) \(since) GROUP BY 1, 2
            """, on: db)
    }
}

struct CreateKeptCounts: AsyncMigration {
    var name: String { "network.014.create-kept-counts" }

    func prepare(on db: any Database) async throws {
        try await db.schema("network_month_counts")
            .field("figure", .string, .required)
            .field("key_id", .uuid, .required)
            .field("month", .string, .required)
            .field("count", .int, .required)
            .unique(on: "figure", "month", "key_id")
            .create()
    }

    func revert(on db: any Database) async throws { try await db.schema("network_month_counts").delete() }
}

private extension String {
    /// "2026-03" → "2026-02".
    var previousMonth: String { String(BishkekCalendar.adding(days: -1, to: self + "-01").prefix(7)) }
}

/// A context's migration that counts its figures afresh from what it holds, and indexes the day
/// column that the correction for a month cut short reads.
public struct FillKeptCounts: AsyncMigration {
    public let name: String
    let index: String
    let fills: [(figure: KeptCounts.Figure, source: String)]

    /// `index`: a CREATE INDEX statement; each `source` selects `key`, `month` and `count`.
    public init(name: String, index: String, fills: [(figure: KeptCounts.Figure, source: String)]) {
        self.name = name
        self.index = index
        self.fills = fills
    }

    public func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("\(unsafeRaw: index)").run()
        for fill in fills { try await KeptCounts.refill(fill.figure, from: "\(unsafeRaw: fill.source)", on: db) }
    }

    public func revert(on db: any Database) async throws {}
}
