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

    /// Hours by month, category and village, and who was active: everything the charts need from the
    /// monthly totals of a period.
    public struct Overview: Sendable, Equatable {
        /// Minutes exchanged per month of service date; every month of the range has its row.
        public let byMonth: [Row<String>]
        /// Per category id (nil for exchanges with no category), largest first.
        public let byCategory: [Row<UUID?>]
        /// Per village id of the member who gave the service, largest first.
        public let byVillage: [Row<UUID>]
        public let activity: Activity
    }

    /// Two grouped reads of the period's monthly totals — per account and month, and per month and
    /// category — added up in memory every way the charts need. The totals keep one row per account,
    /// month and category; the database folds them to at most one per account and month before they
    /// leave it, so a long history costs little more than the months shown.
    public func overview(_ bankID: UUID, _ range: MonthRange) async throws -> Overview {
        let sql = db as! any SQLDatabase  // both databases Ashar runs on speak SQL
        let period = " FROM timebank_month_totals WHERE bank_id = \(bind: bankID) AND month >= \(bind: range.first) AND month <= \(bind: range.last)"
            as SQLQueryString
        // PostgreSQL sums BIGINTs to NUMERIC: cast back, so both databases give an integer.
        let perAccount = try await sql.raw("""
            SELECT account_id, month, CAST(SUM(earned_minutes) AS BIGINT) AS earned, CAST(SUM(spent_minutes) AS BIGINT) AS spent,
                   CAST(SUM(CASE WHEN earned_minutes > 0 THEN exchanges ELSE 0 END) AS BIGINT) AS exchanges
            """ + period + " GROUP BY account_id, month").all()
        let perCategory = try await sql.raw("""
            SELECT category_id, CAST(SUM(earned_minutes) AS BIGINT) AS earned, CAST(SUM(exchanges) AS BIGINT) AS exchanges
            """ + period + " AND earned_minutes > 0 GROUP BY category_id").all()
        // The bank named on both sides: PostgreSQL then finds the members by their bank's index instead of
        // scanning every member of the network (26 → 5 ms at national scale).
        let villages = try await sql.raw("""
            SELECT a.id AS account_id, p.village_id FROM timebank_members m
            JOIN timebank_accounts a ON a.member_id = m.id JOIN people p ON p.id = m.person_id
            WHERE m.bank_id = \(bind: bankID) AND a.bank_id = \(bind: bankID)
            """).all()
        let villageOf = Dictionary(try villages.map { (try $0.decode(column: "account_id", as: UUID.self), try $0.decode(column: "village_id", as: UUID.self)) },
                                   uniquingKeysWith: { a, _ in a })
        var months: [String: Row<String>] = [:], byVillage: [UUID: Row<UUID>] = [:]
        var active: Set<UUID> = [], activeByMonth: [String: Int] = [:]
        for row in perAccount {
            let account = try row.decode(column: "account_id", as: UUID.self), month = try row.decode(column: "month", as: String.self)
            let earned = try row.decode(column: "earned", as: Int.self), spent = try row.decode(column: "spent", as: Int.self)
            if earned > 0 || spent > 0 {
                active.insert(account)
                activeByMonth[month, default: 0] += 1
            }
            // Hours exchanged are what providers earned: a recipient's side would count the same hour twice.
            guard earned > 0 else { continue }
            let exchanges = try row.decode(column: "exchanges", as: Int.self)
            months[month] = Row(key: month, minutes: (months[month]?.minutes ?? 0) + earned, exchanges: (months[month]?.exchanges ?? 0) + exchanges)
            if let village = villageOf[account] {
                byVillage[village] = Row(key: village, minutes: (byVillage[village]?.minutes ?? 0) + earned,
                                         exchanges: (byVillage[village]?.exchanges ?? 0) + exchanges)
            }
        }
        let categories = try perCategory.map { row in
            let id = try row.decode(column: "category_id", as: UUID.self)
            return Row(key: id == MonthTotals.noCategory ? nil : id, minutes: try row.decode(column: "earned", as: Int.self),
                       exchanges: try row.decode(column: "exchanges", as: Int.self))
        }
        let members = try await TimeBankMember.query(on: db).filter(\.$bankID == bankID).count()
        return Overview(
            byMonth: range.months.map { months[$0] ?? Row(key: $0, minutes: 0, exchanges: 0) },
            byCategory: categories.sorted { ($0.minutes, $1.key?.uuidString ?? "") > ($1.minutes, $0.key?.uuidString ?? "") },
            byVillage: byVillage.values.sorted { ($0.minutes, $1.key.uuidString) > ($1.minutes, $0.key.uuidString) },
            activity: Activity(members: members, active: active.count,
                               byMonth: range.months.map { Row(key: $0, minutes: 0, exchanges: activeByMonth[$0] ?? 0) }))
    }

    /// Minutes the members of each district's banks earned, by month, in a period (days, inclusive).
    public func minutesEarned(from: String, to: String) async throws -> [MonthCount] {
        try await kept(.minutesEarned, dayColumn: "minutes", from: from, to: to)
    }

    /// Exchanges each district's banks recorded with a member of another bank, by month, in a period (days, inclusive).
    public func exchangesBetweenBanks(from: String, to: String) async throws -> [MonthCount] {
        try await kept(.exchangesBetweenBanks, dayColumn: "between_banks", from: from, to: to)
    }

    /// Whole months from the network's kept counts; the days of a month the period only cuts into from the daily totals.
    private func kept(_ figure: KeptCounts.Figure, dayColumn: String, from: String, to: String) async throws -> [MonthCount] {
        func days(_ first: String, _ last: String) async throws -> [MonthCount] {
            guard first <= last else { return [] }
            // PostgreSQL sums BIGINTs to NUMERIC: cast back, so both databases give an integer.
            return try await MonthCount.read("""
                SELECT o.district_id AS key, SUBSTR(d.day, 1, 7) AS month, CAST(SUM(d.\(ident: dayColumn)) AS BIGINT) AS count
                FROM timebank_day_totals d JOIN organisations o ON o.id = d.bank_id
                WHERE d.day >= \(bind: first) AND d.day <= \(bind: last) GROUP BY 1, 2
                """, on: db)
        }
        guard let whole = KeptCounts.wholeMonths(from: from, to: to) else { return try await days(from, to) }
        return try await days(from, BishkekCalendar.adding(days: -1, to: whole.first + "-01"))
            + (try await KeptCounts.byDistrict(figure, from: whole.first, through: whole.last, withEarlier: false, on: db))
            + (try await days(KeptCounts.monthAfter(whole.last + "-01"), to))
    }

    /// Members who joined the banks of each district, by month from `first` ("2026-01") up to a day
    /// (inclusive), and before it (`KeptCounts.earlier`).
    public func membersJoined(from first: String, through day: String) async throws -> [MonthCount] {
        try await KeptCounts.byDistrict(.timeBankMembers, from: first, throughDay: day, less: "timebank_members m JOIN organisations o ON o.id = m.bank_id",
                                        day: "m.joined_on", district: "o.district_id", on: db)
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
}
