import AsharNetwork
import FluentKit
import Foundation
import Kernel
import TimeBank

/// A long history in bulk: random exchanges among each bank's members, for seeing how Ashar behaves
/// with years of bookings behind it (`ashar seed --transfers N`). The bookings go through the ledger
/// like any other, a thousand to a transaction; those a member's limit refuses are simply not booked.
public enum DemoHistory {
    public static let batchSize = 1_000

    /// Books `count` more exchanges, spread over the last three years of service dates.
    /// - Returns: how many were booked (all of them, unless no member can give or receive any more).
    @discardableResult
    public static func book(_ count: Int, on db: any Database, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        let banks = try await TimeBankService(db: db).banks(page: PageQuery(page: 1, per: 1_000)).items
        var members: [(bank: UUID, ids: [UUID])] = []
        for bank in banks {
            let list = try await TimeBankService(db: db).members(bank.id, page: PageQuery(page: 1, per: 10_000)).items.map(\.id)
            if list.count > 1 { members.append((bank.id, list)) }
        }
        guard !members.isEmpty else { return 0 }
        let categories = try await CategoryService(db: db).available(to: nil).map(\.id)
        // Seeded: the same history every time, so a test over it is the same test every time.
        var generator = SeededRandom(seed: 7)
        var booked = 0, fruitless = 0
        while booked < count, fruitless < 10 {
            let requests = (0..<min(batchSize, count - booked)).map { _ in
                let (bank, ids) = members.randomElement(using: &generator)!
                let provider = ids.randomElement(using: &generator)!
                var recipient = ids.randomElement(using: &generator)!
                while recipient == provider { recipient = ids.randomElement(using: &generator)! }
                let daysAgo = Double(Int.random(in: 0..<(3 * 365), using: &generator))
                return BookingRequest(ExchangeDraft(bankID: bank, provider: provider, recipient: recipient,
                                                    minutes: 15 * Int.random(in: 1...16, using: &generator),
                                                    categoryID: categories.randomElement(using: &generator),
                                                    serviceDate: ServiceDate.string(Date().addingTimeInterval(-daysAgo * 86_400))),
                                      by: .system)
            }
            let results = try await Ledger(db: db).book(requests)
            var now = 0
            for result in results {
                switch result {
                case .success: now += 1
                case .failure(let error as DomainError) where error.code.hasPrefix("timebank.over-"): continue
                case .failure(let error): throw error
                }
            }
            booked += now
            fruitless = now == 0 ? fruitless + 1 : 0
            progress(booked)
        }
        return booked
    }
}
