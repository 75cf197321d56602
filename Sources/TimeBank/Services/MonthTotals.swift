import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

/// What the reports read instead of the ledger: for each member account, month of service and kind of
/// service, the minutes she earned and spent and the exchanges she gave. The ledger keeps it current in
/// the same transaction as each booking (a reversal takes its original back out), so a report costs
/// the same with a million transfers behind it as with ten thousand.
/// Counted: exchanges between members; not counted: welcome credits, opening balances, reversed mistakes.
public enum MonthTotals {
    static let table = "timebank_month_totals"
    /// Stands for "no kind of service given": a key column cannot be NULL and still be unique.
    static let noCategory = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    struct Key: Hashable, Comparable {
        let bankID: UUID
        let month: String
        let categoryID: UUID
        let accountID: UUID

        static func < (a: Key, b: Key) -> Bool { (a.bankID, a.month, a.categoryID, a.accountID) < (b.bankID, b.month, b.categoryID, b.accountID) }
    }

    struct Total {
        var earned = 0
        var spent = 0
        /// One per exchange, on one of its providers (the first by account id), so exchanges add up.
        var exchanges = 0
    }

    /// One exchange's part: each member account's earning or spending, in the month of its service date.
    /// `sign` −1 takes a reversed exchange back out.
    static func add(_ moves: [(account: UUID, bankID: UUID, minutes: Int)], serviceDate: String, categoryID: UUID?, sign: Int,
                    to totals: inout [Key: Total]) {
        let month = String(serviceDate.prefix(7))
        let counted = moves.filter { $0.minutes > 0 }.map(\.account).min()
        for move in moves where move.minutes != 0 {
            let key = Key(bankID: move.bankID, month: month, categoryID: categoryID ?? noCategory, accountID: move.account)
            var total = totals[key, default: Total()]
            if move.minutes > 0 { total.earned += sign * move.minutes } else { total.spent += sign * -move.minutes }
            if move.account == counted { total.exchanges += sign }
            totals[key] = total
        }
    }

    /// Adds the totals to what is kept, in one statement, in key order (see `KeptCounts.add`).
    static func apply(_ totals: [Key: Total], on sql: any SQLDatabase) async throws {
        guard !totals.isEmpty else { return }
        var rows = JSONRows([("bank_id", .uuid), ("month", .text), ("category_id", .uuid), ("account_id", .uuid),
                             ("earned_minutes", .integer), ("spent_minutes", .integer), ("exchanges", .integer)])
        for (key, total) in totals.sorted(by: { $0.key < $1.key }) {
            rows.append(.uuid(key.bankID), .text(key.month), .uuid(key.categoryID), .uuid(key.accountID), .integer(total.earned),
                        .integer(total.spent), .integer(total.exchanges))
        }
        let query: SQLQueryString = """
            INSERT INTO timebank_month_totals (bank_id, month, category_id, account_id, earned_minutes, spent_minutes, exchanges)
            \(rows.select(on: sql))
            ON CONFLICT (bank_id, month, category_id, account_id) DO UPDATE SET
                earned_minutes = timebank_month_totals.earned_minutes + excluded.earned_minutes,
                spent_minutes = timebank_month_totals.spent_minutes + excluded.spent_minutes,
                exchanges = timebank_month_totals.exchanges + excluded.exchanges
            """
        try await sql.raw(query).run()
    }

    /// Adds up entries as they stream in, a transfer at a time (a long ledger never sits in memory whole).
    final class Reader: @unchecked Sendable {  // the database calls `read` one row after another; `lock` guards the rest
        private let lock = NSLock()
        private var totals: [Key: Total] = [:]
        private var moves: [(account: UUID, bankID: UUID, minutes: Int)] = []
        private var current: (id: UUID, date: String, category: UUID?)?
        private var failure: (any Error)?

        func read(_ row: any SQLRow) {
            lock.withLock {
                do {
                    let id = try row.decode(column: "transfer_id", as: UUID.self)
                    if current?.id != id {
                        flush()
                        current = (id, try row.decode(column: "service_date", as: String.self), try row.decode(column: "category_id", as: UUID?.self))
                    }
                    moves.append((try row.decode(column: "account_id", as: UUID.self), try row.decode(column: "bank_id", as: UUID.self),
                                  try row.decode(column: "minutes", as: Int.self)))
                } catch {
                    failure = failure ?? error
                }
            }
        }

        func finish() throws -> [Key: Total] {
            try lock.withLock {
                if let failure { throw failure }
                flush()
                return totals
            }
        }

        private func flush() {
            if let current { MonthTotals.add(moves, serviceDate: current.date, categoryID: current.category, sign: 1, to: &totals) }
            moves = []
        }
    }

    /// Fills the totals afresh from the ledger as it stands (the migration that creates them; a check
    /// that the ledger and its totals agree). Read in transfer order and added up a transfer at a time.
    public static func rebuild(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM timebank_month_totals").run()
        // Exchanges between members that stand: not welcome credits or opening balances, not reversals
        // nor what they reversed.
        let reader = Reader()
        try await sql.raw("""
            SELECT e.transfer_id, e.account_id, e.minutes, a.bank_id, t.service_date, t.category_id
            FROM timebank_entries e
            JOIN timebank_accounts a ON a.id = e.account_id AND a.member_id IS NOT NULL
            JOIN timebank_transfers t ON t.id = e.transfer_id
            WHERE t.purpose IS NULL AND t.reverses_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM timebank_transfers r WHERE r.reverses_id = t.id)
            ORDER BY e.transfer_id
            """).run { reader.read($0) }
        let totals = try reader.finish()
        // A few hundred rows to a statement, well within both databases' limits on bound values.
        for chunk in Array(totals).chunks(of: 500) {
            try await MonthTotals.apply(Dictionary(uniqueKeysWithValues: chunk.map { ($0.key, $0.value) }), on: sql)
        }
    }
}

/// The monthly totals, and their first filling from the ledger as it stands.
struct CreateMonthTotals: AsyncMigration {
    var name: String { "timebank.013.create-month-totals" }

    func prepare(on db: any Database) async throws {
        try await db.schema(MonthTotals.table)
            .field("bank_id", .uuid, .required)
            .field("month", .string, .required)
            .field("category_id", .uuid, .required)
            .field("account_id", .uuid, .required)
            .field("earned_minutes", .int, .required)
            .field("spent_minutes", .int, .required)
            .field("exchanges", .int, .required)
            .unique(on: "bank_id", "month", "category_id", "account_id")
            .create()
        try await MonthTotals.rebuild(on: db as! any SQLDatabase)
    }

    func revert(on db: any Database) async throws { try await db.schema(MonthTotals.table).delete() }
}
