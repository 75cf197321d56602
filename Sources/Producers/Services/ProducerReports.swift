import FluentKit
import Foundation
import Kernel

/// The figures behind a group's reports: what joint buying saved, what pooled sales brought each member
/// and each grade, how the fund grew, how the equipment was used.
public struct ProducerReports: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public struct RoundSaving: Sendable, Equatable {
        public let roundID: UUID
        public let deadline: Date
        public let supplierTotal: Int
        public let saving: Int
    }

    /// Each closed round's total and its saving against each member buying alone, oldest first.
    public func savings(_ groupID: UUID) async throws -> [RoundSaving] {
        let rounds = PurchaseRoundService(db: db)
        var result: [RoundSaving] = []
        for round in try await rounds.rounds(of: groupID).reversed() where ![.draft, .open].contains(round.status) {
            let s = try await rounds.settlement(round.id)
            result.append(RoundSaving(roundID: round.id, deadline: round.deadline, supplierTotal: s.supplierTotal,
                                      saving: s.members.reduce(0) { $0 + $1.saving }))
        }
        return result
    }

    /// What a group's members gained in a period: joint buying's saving (rounds whose deadline falls in it),
    /// pooled sales' proceeds passed to their accounts, and the risk fund's payouts on members' claims. Tyiyn.
    public struct PeriodFigures: Sendable, Equatable {
        public var purchaseSavings = 0
        public var salesPaid = 0
        public var fundPayouts = 0
    }

    /// One thing the groups' money did, on the day it did it (Asia/Bishkek): a round settled on its deadline,
    /// proceeds paid to a member's account, a claim paid from the fund.
    public struct DatedFigures: Sendable, Equatable {
        public let groupID: UUID
        public let day: String
        public let figures: PeriodFigures
    }

    /// What the groups' money did from `from` (inclusive) to `to` (exclusive), each with its day, so a
    /// period is read once and cut into months or quarters by whoever reads it.
    public func datedFigures(from: Date, to: Date) async throws -> [DatedFigures] {
        var dated: [DatedFigures] = []
        let rounds = PurchaseRoundService(db: db)
        let settled = try await PurchaseRound.query(on: db).filter(\.$deadline >= from).filter(\.$deadline < to)
            .filter(\.$status !~ [.draft, .open]).all()
        for round in settled {
            let saving = try await rounds.settlement(round.id!).members.reduce(0) { $0 + $1.saving }
            dated.append(DatedFigures(groupID: round.groupID, day: BishkekCalendar.day(of: round.deadline), figures: PeriodFigures(purchaseSavings: saving)))
        }
        for entry in try await AccountEntry.query(on: db).filter(\.$kind == .payout).filter(\.$createdAt >= from).filter(\.$createdAt < to).all() {
            dated.append(DatedFigures(groupID: entry.groupID, day: BishkekCalendar.day(of: entry.createdAt ?? from), figures: PeriodFigures(salesPaid: entry.amount)))
        }
        // A claim's payout leaves the purse as a negative entry.
        for entry in try await FundEntry.query(on: db).filter(\.$kind == .claim).filter(\.$createdAt >= from).filter(\.$createdAt < to).all() {
            dated.append(DatedFigures(groupID: entry.groupID, day: BishkekCalendar.day(of: entry.createdAt ?? from), figures: PeriodFigures(fundPayouts: -entry.amount)))
        }
        return dated
    }

    public struct Sales: Sendable, Equatable {
        /// Member id → what she is due from every pool so far.
        public let dueByMember: [UUID: Int]
        /// Grade (nil: rejected) → (quantity, value at contract prices).
        public let byGrade: [String?: (quantity: Int, value: Int)]

        public static func == (a: Sales, b: Sales) -> Bool {
            a.dueByMember == b.dueByMember && a.byGrade.mapValues { [$0.quantity, $0.value] } == b.byGrade.mapValues { [$0.quantity, $0.value] }
        }
    }

    public func sales(_ groupID: UUID) async throws -> Sales {
        let pools = SalePoolService(db: db)
        var due: [UUID: Int] = [:]
        var grades: [String?: (quantity: Int, value: Int)] = [:]
        for pool in try await pools.pools(of: groupID) {
            for m in try await pools.payouts(pool.id).members { due[m.memberID, default: 0] += m.due }
            for intake in try await pools.intakes(pool.id) {
                let price = intake.grade.map { pool.gradePrices[$0] ?? 0 } ?? 0
                let before = grades[intake.grade] ?? (0, 0)
                grades[intake.grade] = (before.quantity + intake.quantity, before.value + intake.quantity * price)
            }
        }
        return Sales(dueByMember: due, byGrade: grades)
    }

    /// The fund's and the maintenance fund's balance at the end of each month with a movement ("2026-05").
    public func fundByMonth(_ groupID: UUID) async throws -> [(month: String, risk: Int, maintenance: Int)] {
        let lines = try await GroupFundService(db: db).fund(groupID).lines
        var months: [(month: String, risk: Int, maintenance: Int)] = []
        var risk = 0, maintenance = 0
        for line in lines {
            if line.purse == .risk { risk += line.amount } else { maintenance += line.amount }
            let month = String(BishkekCalendar.day(of: line.at).prefix(7))
            if months.last?.month == month { months.removeLast() }
            months.append((month, risk, maintenance))
        }
        return months
    }

    /// Each item's days booked (cancelled bookings aside) and fees charged.
    public func equipmentUse(_ groupID: UUID) async throws -> [(name: String, days: Int, fees: Int)] {
        let service = EquipmentService(db: db)
        var result: [(name: String, days: Int, fees: Int)] = []
        for item in try await service.items(groupID) {
            let bookings = try await service.bookings(item.id).filter { $0.status != .cancelled }
            result.append((item.name, bookings.reduce(0) { $0 + EquipmentService.days($1.firstDay, $1.lastDay) }, bookings.reduce(0) { $0 + ($1.fee ?? 0) }))
        }
        return result
    }
}
