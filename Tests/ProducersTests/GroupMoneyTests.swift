import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Producers
import TestSupport
import Testing

@Suite("Members' accounts, buying on credit, the group fund, shared equipment")
struct GroupMoneyTests {
    /// A settled round: member 0 owes 300 kg × 24 som, member 1 owes 200 kg × 24 som.
    static func settledRound(_ db: any Database, _ f: GroupFixture) async throws -> RoundRecord {
        let rounds = PurchaseRoundService(db: db)
        let round = try await rounds.create(f.group.id, supplierID: nil, deadline: Date().addingTimeInterval(86_400), allocation: .firstCome, by: .system)
        let article = try await rounds.addArticle(round.id, PurchaseRoundTests.potatoes, by: .system)
        _ = try await rounds.setOrder(round.id, member: f.members[0].id, lines: [OrderLineDraft(articleID: article.id, quantity: 300)], by: .system)
        _ = try await rounds.setOrder(round.id, member: f.members[1].id, lines: [OrderLineDraft(articleID: article.id, quantity: 200)], by: .system)
        _ = try await rounds.close(round.id, by: .system)
        _ = try await rounds.markOrdered(round.id, by: .system)
        return try await rounds.settle(round.id, by: .system)
    }

    @Test("Settling puts each bill on her account; cash paid reduces it; a pool payout repays what she owes before any cash is handed over")
    func creditRepaidFromPayout() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db)
            let round = try await Self.settledRound(db, f)
            #expect(round.status == .settled)
            let accounts = MemberAccountService(db: db)
            #expect(try await accounts.account(f.members[0].id).balance == -720_000)
            try await PurchaseRoundService(db: db).recordPayment(round.id, member: f.members[1].id, amount: 480_000, by: .system)
            #expect(try await accounts.account(f.members[1].id).balance == 0)
            #expect(try await PurchaseRoundService(db: db).payments(round.id)[f.members[1].id] == 480_000)
            await #expect(throws: DomainError("producers.round-settled", kind: .conflict)) {
                _ = try await PurchaseRoundService(db: db).settle(round.id, by: .system)
            }

            let pools = SalePoolService(db: db)
            let pool = try await pools.create(f.group.id, PoolDraft(product: "Dried apricots", buyer: "Osh Dried Fruit", gradePrices: ["A": 20_000],
                                                                    levyBasisPoints: 500, rejects: .member), by: .system)
            try await pools.intake(pool.id, member: f.members[0].id, quantity: 50, grade: "A", by: .system)
            try await pools.intake(pool.id, member: f.members[1].id, quantity: 50, grade: "A", by: .system)
            try await pools.record(pool.id, payment: true, amount: 1_000_000, by: .system)   // half the lot paid so far
            let first = Dictionary(uniqueKeysWithValues: try await pools.distribute(pool.id, by: .system).map { ($0.memberID, $0) })
            // 10,000 som less the 5 % levy: 4,750 som each. Member 0 owed 7,200 som: all of it repays her debt.
            #expect(first[f.members[0].id].map { [$0.payout, $0.repaid, $0.cash] } == [475_000, 475_000, 0])
            #expect(first[f.members[1].id].map { [$0.payout, $0.repaid, $0.cash] } == [475_000, 0, 475_000])
            #expect(try await accounts.account(f.members[0].id).balance == -245_000)
            #expect(try await pools.distribute(pool.id, by: .system).isEmpty)   // nothing new came in

            try await pools.record(pool.id, payment: true, amount: 1_000_000, by: .system)
            let second = try await pools.distribute(pool.id, by: .system).first { $0.memberID == f.members[0].id }
            #expect(second.map { [$0.payout, $0.repaid, $0.cash] } == [475_000, 245_000, 230_000])
            #expect(try await accounts.account(f.members[0].id).balance == 0)
            let payouts = try await pools.payouts(pool.id)
            #expect(payouts.members.allSatisfy { $0.paid == $0.due && $0.due == 950_000 })
            #expect(try await GroupFundService(db: db).fund(f.group.id).balances[.risk] == 100_000)
        }
    }

    @Test("A claim is decided by the members' recorded votes under the group's rule and never paid beyond what the fund holds")
    func fundClaims() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db, members: 4)
            let fund = GroupFundService(db: db)
            try await fund.payDues(f.members[0].id, amount: 100_000, by: .system)
            try await fund.payDues(f.members[1].id, amount: 100_000, by: .system)
            let claim = try await fund.claim(f.members[2].id, reason: "Hail took the harvest", amount: 300_000, by: .system)
            #expect(claim.status == .open && claim.needed == 3)
            _ = try await fund.vote(claim.id, member: f.members[0].id, approve: true, by: .system)
            _ = try await fund.vote(claim.id, member: f.members[1].id, approve: false, by: .system)
            _ = try await fund.vote(claim.id, member: f.members[1].id, approve: true, by: .system)   // she changed her mind
            await #expect(throws: DomainError("producers.claim-not-approved", kind: .conflict)) { _ = try await fund.pay(claim.id, by: .system) }
            let carried = try await fund.vote(claim.id, member: f.members[3].id, approve: true, by: .system)
            #expect(carried.status == .approved && carried.approvals == 3 && carried.refusals == 0)
            await #expect(throws: DomainError("producers.claim-decided", kind: .conflict)) {
                _ = try await fund.vote(claim.id, member: f.members[2].id, approve: false, by: .system)
            }
            await #expect(throws: DomainError("producers.fund-short", kind: .conflict, arguments: ["balance": "2\u{202F}000"])) {
                _ = try await fund.pay(claim.id, by: .system)
            }
            #expect(try await fund.fund(f.group.id).balances[.risk] == 200_000)
            try await fund.payDues(f.members[3].id, amount: 100_000, by: .system)
            #expect(try await fund.pay(claim.id, by: .system).status == .paid)
            #expect(try await fund.fund(f.group.id).balances[.risk] == 0)
            await #expect(throws: DomainError("producers.claim-paid", kind: .conflict)) { _ = try await fund.pay(claim.id, by: .system) }

            let refused = try await fund.claim(f.members[0].id, reason: "Cow", amount: 1_000, by: .system)
            _ = try await fund.vote(refused.id, member: f.members[1].id, approve: false, by: .system)
            #expect(try await fund.vote(refused.id, member: f.members[2].id, approve: false, by: .system).status == .rejected)
        }
    }

    @Test("Equipment: ownership by contribution, no overlapping bookings, hand-over notes, fees into the maintenance fund, repairs within it, a fair queue")
    func equipment() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db)
            let equipment = EquipmentService(db: db)
            let drier = try await equipment.add(f.group.id, name: "Fruit drier", roundID: nil, fee: 50_000, unit: .day,
                                                contributions: [f.members[0].id: 3_000_000, f.members[1].id: 1_000_000], by: .system)
            #expect(Set(drier.owners.map(\.share)) == [7_500, 2_500])
            let booking = try await equipment.book(drier.id, member: f.members[0].id, from: "2026-08-01", to: "2026-08-03", by: .system)
            await #expect(throws: DomainError("producers.booking-overlap", kind: .conflict, field: "first_day",
                                              arguments: ["from": "2026-08-01", "to": "2026-08-03"])) {
                _ = try await equipment.book(drier.id, member: f.members[1].id, from: "2026-08-03", to: "2026-08-04", by: .system)
            }
            await #expect(throws: DomainError("producers.day-invalid", field: "last_day")) {
                _ = try await equipment.book(drier.id, member: f.members[1].id, from: "2026-08-05", to: "2026-08-04", by: .system)
            }
            _ = try await equipment.handOver(booking.id, condition: "Clean, all trays", by: .system)
            await #expect(throws: DomainError("producers.condition-required", field: "condition")) {
                _ = try await equipment.giveBack(booking.id, condition: " ", usage: 3, by: .system)
            }
            let back = try await equipment.giveBack(booking.id, condition: "One tray bent", usage: 3, by: .system)
            #expect(back.fee == 150_000 && back.status == .returned)
            #expect(try await MemberAccountService(db: db).account(f.members[0].id).balance == -150_000)
            await #expect(throws: DomainError("producers.fund-short", kind: .conflict, arguments: ["balance": "1\u{202F}500"])) {
                try await equipment.maintain(drier.id, label: "New trays", amount: 200_000, by: .system)
            }
            try await equipment.maintain(drier.id, label: "Tray straightened", amount: 50_000, by: .system)
            #expect(try await GroupFundService(db: db).fund(f.group.id).balances[.maintenance] == 100_000)

            let asked = Date()
            try await equipment.wait(drier.id, member: f.members[0].id, by: .system, now: asked)
            try await equipment.wait(drier.id, member: f.members[2].id, by: .system, now: asked.addingTimeInterval(60))
            // Member 2 asked later but has not had the drier yet this season.
            let season = String(BishkekCalendar.day(of: Date()).prefix(4))
            if season == "2026" { #expect(try await equipment.rotation(drier.id).map(\.memberID) == [f.members[2].id, f.members[0].id]) }
            _ = try await equipment.book(drier.id, member: f.members[2].id, from: "2026-08-10", to: "2026-08-11", by: .system)
            #expect(try await equipment.rotation(drier.id).map(\.memberID) == [f.members[0].id])
        }
    }
}
