import FluentKit
import Foundation
import AsharNetwork
import Kernel
import SQLKit

/// What the network's dashboard reads instead of the ledger: for each bank and day of service, the
/// minutes its members earned in exchanges and the exchanges it recorded between banks. Kept in the same
/// transaction as each booking, like the month totals, but one row a bank a day however many members
/// and transfers there are, so a year's figures for a country's banks are a few thousand rows.
/// Counted as in the month totals: exchanges that stand, not welcome credits or opening balances.
public enum DayTotals {
    static let table = "timebank_day_totals"

    struct Key: Hashable, Comparable {
        let bankID: UUID
        let day: String

        static func < (a: Key, b: Key) -> Bool { (a.bankID, a.day) < (b.bankID, b.day) }
    }

    struct Total {
        var minutes = 0
        var betweenBanks = 0
    }

    /// One exchange's part: its members' earnings by their bank, and one exchange between banks for the
    /// recording bank if it went through a clearing account. `sign` −1 takes a reversed exchange out.
    static func add(_ moves: [(account: UUID, bankID: UUID, minutes: Int)], recordedBy bankID: UUID, betweenBanks: Bool, serviceDate: String,
                    sign: Int, to totals: inout [Key: Total]) {
        for move in moves where move.minutes > 0 {
            totals[Key(bankID: move.bankID, day: serviceDate), default: Total()].minutes += sign * move.minutes
        }
        if betweenBanks { totals[Key(bankID: bankID, day: serviceDate), default: Total()].betweenBanks += sign }
    }

    /// The same totals by month, for the network's kept counts.
    static func byMonth(_ totals: [Key: Total]) -> [KeptCounts.Change: Int] {
        totals.reduce(into: [:]) { months, total in
            months[KeptCounts.Change(.minutesEarned, key: total.key.bankID, month: total.key.day), default: 0] += total.value.minutes
            months[KeptCounts.Change(.exchangesBetweenBanks, key: total.key.bankID, month: total.key.day), default: 0] += total.value.betweenBanks
        }
    }

    /// Adds the totals to what is kept, in one statement, in key order (see `KeptCounts.add`).
    static func apply(_ totals: [Key: Total], on sql: any SQLDatabase) async throws {
        guard !totals.isEmpty else { return }
        var rows = JSONRows([("bank_id", .uuid), ("day", .text), ("minutes", .integer), ("between_banks", .integer)])
        for (key, total) in totals.sorted(by: { $0.key < $1.key }) { rows.append(.uuid(key.bankID), .text(key.day), .integer(total.minutes), .integer(total.betweenBanks)) }
        let query: SQLQueryString = """
            INSERT INTO timebank_day_totals (bank_id, day, minutes, between_banks) \(rows.select(on: sql))
            ON CONFLICT (bank_id, day) DO UPDATE SET minutes = timebank_day_totals.minutes + excluded.minutes,
                between_banks = timebank_day_totals.between_banks + excluded.between_banks
            """
        try await sql.raw(query).run()
    }

    /// Fills the totals afresh from the ledger as it stands (the migration that creates them).
    public static func rebuild(on sql: any SQLDatabase) async throws {
        let standing: SQLQueryString = """
            t.purpose IS NULL AND t.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM timebank_transfers r WHERE r.reverses_id = t.id)
            """
        try await sql.raw("DELETE FROM timebank_day_totals").run()
        try await sql.raw("""
            INSERT INTO timebank_day_totals (bank_id, day, minutes, between_banks)
            SELECT a.bank_id, t.service_date, CAST(SUM(e.minutes) AS BIGINT), 0 FROM timebank_entries e
            JOIN timebank_accounts a ON a.id = e.account_id AND a.member_id IS NOT NULL JOIN timebank_transfers t ON t.id = e.transfer_id
            WHERE e.minutes > 0 AND \(standing) GROUP BY a.bank_id, t.service_date
            """).run()
        try await sql.raw("""
            INSERT INTO timebank_day_totals (bank_id, day, minutes, between_banks)
            SELECT t.bank_id, t.service_date, 0, COUNT(DISTINCT t.id) FROM timebank_transfers t
            JOIN timebank_entries e ON e.transfer_id = t.id JOIN timebank_accounts a ON a.id = e.account_id AND a.counterpart_bank_id IS NOT NULL
            WHERE \(standing) GROUP BY t.bank_id, t.service_date
            ON CONFLICT (bank_id, day) DO UPDATE SET between_banks = excluded.between_banks
            """).run()
    }
}

/// The daily totals, and their first filling from the ledger as it stands.
struct CreateDayTotals: AsyncMigration {
    var name: String { "timebank.015.create-day-totals" }

    func prepare(on db: any Database) async throws {
        try await db.schema(DayTotals.table)
            .field("bank_id", .uuid, .required)
            .field("day", .string, .required)
            .field("minutes", .int, .required)
            .field("between_banks", .int, .required)
            .unique(on: "bank_id", "day")
            .create()
        try await (db as! any SQLDatabase).raw("CREATE INDEX timebank_day_totals_by_day ON timebank_day_totals (day)").run()
        try await DayTotals.rebuild(on: db as! any SQLDatabase)
    }

    func revert(on db: any Database) async throws { try await db.schema(DayTotals.table).delete() }
}
