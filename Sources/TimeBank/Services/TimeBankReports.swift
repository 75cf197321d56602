import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

/// A period of whole months, "YYYY-MM" to "YYYY-MM" inclusive.
public struct MonthRange: Sendable, Equatable {
    public let first: String
    public let last: String

    /// The months from `first` to `last`; the twelve months up to this one when either is missing or malformed.
    public init(first: String?, last: String?, today: Date = Date()) {
        let thisMonth = String(ServiceDate.string(today).prefix(7))
        let end = last.flatMap(Self.valid) ?? thisMonth
        let start = first.flatMap(Self.valid) ?? Self.month(end, adding: -11)
        (self.first, self.last) = start <= end ? (start, end) : (end, start)
    }

    /// Every month of the range, in order, so a chart has a bar (maybe empty) for each.
    public var months: [String] {
        var all: [String] = []
        var month = first
        while month <= last && all.count < 240 {
            all.append(month)
            month = Self.month(month, adding: 1)
        }
        return all
    }

    static func valid(_ text: String) -> String? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
              (2000...2100).contains(y), (1...12).contains(m) else { return nil }
        return text
    }

    static func month(_ text: String, adding months: Int) -> String {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let index = parts[0] * 12 + (parts[1] - 1) + months
        return String(format: "%04d-%02d", index / 12, index % 12 + 1)
    }
}

/// How a bank's members exchange: hours by month, category and village; who is active; how balances spread,
/// and who is far below or far above zero. Hours exchanged count what members earned by serving someone
/// (a provider's entries), leaving out welcome credits, opening balances, and mistakes reversed.
public struct TimeBankReports: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public struct Row<Key: Sendable & Equatable>: Sendable, Equatable {
        public let key: Key
        public let minutes: Int
        public let exchanges: Int
    }

    public struct Bucket: Sendable, Equatable {
        /// Lower bound in minutes (inclusive); nil: no lower bound.
        public let from: Int?
        /// Upper bound in minutes (exclusive); nil: no upper bound.
        public let to: Int?
        public let members: Int
    }

    public struct Activity: Sendable, Equatable {
        public let members: Int
        /// Members who gave or received at least once in the period.
        public let active: Int
        /// Per month: members who gave or received in it.
        public let byMonth: [Row<String>]
    }

    /// Minutes exchanged per month of service date; every month of the range has its row.
    public func hoursByMonth(_ bankID: UUID, _ range: MonthRange) async throws -> [Row<String>] {
        let rows = try await earned(bankID, range, groupBy: "mt.month", as: String.self)
        let byMonth = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0) })
        return range.months.map { byMonth[$0] ?? Row(key: $0, minutes: 0, exchanges: 0) }
    }

    /// Minutes exchanged per category id (nil for exchanges with no category), largest first.
    public func hoursByCategory(_ bankID: UUID, _ range: MonthRange) async throws -> [Row<UUID?>] {
        try await earned(bankID, range, groupBy: "mt.category_id", as: UUID.self)
            .map { Row(key: $0.key == MonthTotals.noCategory ? nil : $0.key, minutes: $0.minutes, exchanges: $0.exchanges) }
            .sorted { $0.minutes > $1.minutes }
    }

    /// Minutes exchanged per village id of the member who gave the service, largest first.
    public func hoursByVillage(_ bankID: UUID, _ range: MonthRange) async throws -> [Row<UUID>] {
        try await earned(bankID, range, groupBy: "p.village_id", as: UUID.self, joinPeople: true).sorted { $0.minutes > $1.minutes }
    }

    public func activity(_ bankID: UUID, _ range: MonthRange) async throws -> Activity {
        let sql = db as! any SQLDatabase  // both databases Ashar runs on speak SQL
        let members = try await TimeBankMember.query(on: db).filter(\.$bankID == bankID).count()
        let exchanged = """
            FROM timebank_month_totals
            WHERE bank_id = \(bind: bankID) AND month >= \(bind: range.first) AND month <= \(bind: range.last)
              AND (earned_minutes > 0 OR spent_minutes > 0)
            """ as SQLQueryString
        let active = try await sql.raw("SELECT COUNT(DISTINCT account_id) AS n " + exchanged).first()?.decode(column: "n", as: Int.self) ?? 0
        let perMonth = try await sql.raw("SELECT month AS k, COUNT(DISTINCT account_id) AS n " + exchanged + " GROUP BY month").all()
        let counts = Dictionary(uniqueKeysWithValues: try perMonth.map { (try $0.decode(column: "k", as: String.self), try $0.decode(column: "n", as: Int.self)) })
        return Activity(members: members, active: active,
                        byMonth: range.months.map { Row(key: $0, minutes: 0, exchanges: counts[$0] ?? 0) })
    }

    public func balanceDistribution(_ bankID: UUID) async throws -> [Bucket] {
        let edges = [-600, -300, -60, 0, 1, 60, 300, 600, 1_200]  // minutes: −10 h, −5 h, −1 h, 0, …, +20 h
        let balances = try await TimeAccount.query(on: db).filter(\.$bankID == bankID).filter(\.$kind == .member).all().map(\.balanceMinutes)
        var buckets: [Bucket] = []
        for index in 0...edges.count {
            let from = index == 0 ? nil : edges[index - 1]
            let to = index == edges.count ? nil : edges[index]
            let count = balances.filter { b in (from.map { b >= $0 } ?? true) && (to.map { b < $0 } ?? true) }.count
            buckets.append(Bucket(from: from, to: to, members: count))
        }
        return buckets
    }

    /// Members at or below `below` minutes (they may need help to find someone to serve), or at or
    /// above `above` (they may need help to ask for a service), furthest from zero first.
    public func outliers(_ bankID: UUID, below: Int, above: Int) async throws -> (low: [MemberRecord], high: [MemberRecord]) {
        let accounts = try await TimeAccount.query(on: db).filter(\.$bankID == bankID).filter(\.$kind == .member)
            .group(.or) { $0.filter(\.$balanceMinutes <= below).filter(\.$balanceMinutes >= above) }.all()
        let members = try await TimeBankService(db: db).lookup(accounts.compactMap(\.memberID))
        let records = members.values.sorted { abs($0.balanceMinutes) > abs($1.balanceMinutes) }
        return (records.filter { $0.balanceMinutes <= below }, records.filter { $0.balanceMinutes >= above })
    }

    // MARK: -

    /// A transfer that is an exchange: not a welcome credit or an opening balance, not a reversal, not reversed.
    func earned<Key: Decodable & Sendable & Equatable>(_ bankID: UUID, _ range: MonthRange, groupBy key: String, as: Key.Type,
                                                       joinPeople: Bool = false) async throws -> [Row<Key>] {
        let sql = db as! any SQLDatabase
        let people = joinPeople
            ? "JOIN timebank_accounts a ON a.id = mt.account_id JOIN timebank_members m ON m.id = a.member_id JOIN people p ON p.id = m.person_id" : ""
        // PostgreSQL sums BIGINTs to NUMERIC: cast back, so both databases give an integer.
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: key) AS k, CAST(SUM(mt.earned_minutes) AS BIGINT) AS minutes, CAST(SUM(mt.exchanges) AS BIGINT) AS exchanges
            FROM timebank_month_totals mt
            \(unsafeRaw: people)
            WHERE mt.bank_id = \(bind: bankID) AND mt.month >= \(bind: range.first) AND mt.month <= \(bind: range.last)
              AND mt.earned_minutes > 0
            GROUP BY \(unsafeRaw: key)
            """).all()
        return try rows.map {
            Row(key: try $0.decode(column: "k", as: Key.self), minutes: try $0.decode(column: "minutes", as: Int.self),
                exchanges: try $0.decode(column: "exchanges", as: Int.self))
        }
    }
}
