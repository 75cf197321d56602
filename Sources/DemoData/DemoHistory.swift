import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit
import TimeBank

/// A long history in bulk: random exchanges among each bank's members, for seeing how Ashar behaves
/// with years of bookings behind it (`ashar seed --transfers N`). The bookings go through the ledger
/// like any other, a thousand to a call; those a member's limit refuses are simply not booked.
/// A member halfway to her lower limit gives rather than receives, as an office would steer her: so the
/// balances spread as a real network's do and the limits refuse few exchanges, however long the history.
///
/// Bank after bank, each its share: a bank's exchanges land on its own thousand accounts, whose entries'
/// index pages stay in memory and are written once for ten batches; spread over every bank at once, each
/// batch touched pages all over a country's index, and booking slowed as the file grew (docs/PERFORMANCE.md).
public enum DemoHistory {
    static let batchSize = 1_000
    /// Batches booked in one transaction.
    static let batchesPerTransaction = 10

    /// Books `count` more exchanges, spread over the last three years of service dates, telling
    /// `progress` how many are booked each time another `every` are.
    /// - Returns: how many were booked (all of them, unless no member can give or receive any more).
    @discardableResult
    public static func book(_ count: Int, on db: any Database, every: Int = 100_000, progress: (Int) -> Void = { _ in }) async throws -> Int {
        let banks = try await TimeBankService(db: db).banks(page: PageQuery(page: 1, per: 1_000)).items
        var members: [(bank: UUID, ids: [UUID])] = []
        for bank in banks {
            let list = try await TimeBankService(db: db).members(bank.id, page: PageQuery(page: 1, per: 10_000)).items.map(\.id)
            if list.count > 1 { members.append((bank.id, list)) }
        }
        guard !members.isEmpty else { return 0 }
        let categories = try await CategoryService(db: db).available(to: nil).map(\.id)
        // Seeded: the same history every time, so a test over it is the same test every time.
        var state = State(balances: try await Balances(on: db), random: SeededRandom(seed: 7))
        let today = Date()
        var booked = 0
        for (position, (bank, ids)) in members.enumerated() {
            // What is left, shared among the banks left: a bank that could book less leaves more to the next.
            let share = (count - booked) / (members.count - position)
            var bookedHere = 0, fruitless = 0
            while bookedHere < share, fruitless < batchesPerTransaction {
                let wanted = share - bookedHere
                let (now, after, tries) = try await db.writeTransaction { [state] tx in
                    var state = state, now = 0, tries = 0
                    for _ in 0..<batchesPerTransaction where now < wanted {
                        let booked = try await state.bookBatch(min(batchSize, wanted - now), among: ids, of: bank,
                                                               categories: categories, today: today, on: tx)
                        now += booked
                        tries += 1
                        if booked == 0 { break }
                    }
                    return (now, state, tries)
                }
                state = after
                bookedHere += now
                if (booked + now) / every > booked / every { progress(booked + now) }
                booked += now
                fruitless = now == 0 ? fruitless + tries : 0
            }
        }
        return booked
    }

    /// What the history carries from one transaction to the next.
    struct State: Sendable {
        var balances: Balances
        var random: SeededRandom

        /// Books up to `size` random exchanges among a bank's members, in one call to the ledger.
        /// - Returns: how many were booked.
        mutating func bookBatch(_ size: Int, among ids: [UUID], of bank: UUID, categories: [UUID], today: Date,
                                on db: any Database) async throws -> Int {
            let exchanges = (0..<size).map { _ in
                var provider = ids.randomElement(using: &random)!
                var recipient = ids.randomElement(using: &random)!
                while recipient == provider { recipient = ids.randomElement(using: &random)! }
                let minutes = 15 * Int.random(in: 1...16, using: &random)
                if balances.wouldSinkLow(recipient, paying: minutes) { swap(&provider, &recipient) }
                let daysAgo = Double(Int.random(in: 0..<(3 * 365), using: &random))
                let draft = ExchangeDraft(bankID: bank, provider: provider, recipient: recipient, minutes: minutes,
                                          categoryID: categories.randomElement(using: &random),
                                          serviceDate: ServiceDate.string(today.addingTimeInterval(-daysAgo * 86_400)))
                return (provider: provider, recipient: recipient, minutes: minutes, draft: draft)
            }
            let results = try await Ledger(db: db).book(exchanges.map { BookingRequest($0.draft, by: .system) })
            var booked = 0
            for (exchange, result) in zip(exchanges, results) {
                switch result {
                case .success:
                    booked += 1
                    balances.move(exchange.minutes, from: exchange.recipient, to: exchange.provider)
                case .failure(let error as DomainError) where error.code.hasPrefix("timebank.over-"): continue
                case .failure(let error): throw error
                }
            }
            return booked
        }
    }

    /// Members' balances and lower limits as the booked batches leave them.
    struct Balances: Sendable {
        private var accounts: [UUID: (balance: Int, lower: Int?)] = [:]

        init(on db: any Database) async throws {
            let rows = try await (db as! any SQLDatabase).raw("""
                SELECT member_id, balance_minutes, lower_limit_minutes FROM timebank_accounts WHERE member_id IS NOT NULL
                """).all()
            for row in rows {
                accounts[try row.decode(column: "member_id", as: UUID.self)] =
                    (try row.decode(column: "balance_minutes", as: Int.self), try row.decode(column: "lower_limit_minutes", as: Int?.self))
            }
        }

        /// Whether paying `minutes` would take the member past half her lower limit.
        func wouldSinkLow(_ member: UUID, paying minutes: Int) -> Bool {
            guard let account = accounts[member], let lower = account.lower else { return false }
            return account.balance - minutes < lower / 2
        }

        mutating func move(_ minutes: Int, from payer: UUID, to earner: UUID) {
            accounts[payer]?.balance -= minutes
            accounts[earner]?.balance += minutes
        }
    }
}
