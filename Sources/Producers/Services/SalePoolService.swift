import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct PoolRecord: Sendable, Equatable {
    public let id: UUID
    public let groupID: UUID
    public let product: String
    public let buyer: String
    public let gradePrices: [String: Int]
    public let levyBasisPoints: Int
    public let rejects: RejectRule
    public let contractQuantity: Int?
    public let terms: String
}

public struct PoolDraft: Sendable {
    public var product: String
    public var buyer: String
    public var gradePrices: [String: Int]
    public var levyBasisPoints: Int
    public var rejects: RejectRule
    public var contractQuantity: Int?
    public var terms: String

    public init(product: String, buyer: String, gradePrices: [String: Int], levyBasisPoints: Int, rejects: RejectRule,
                contractQuantity: Int? = nil, terms: String = "") {
        self.product = product
        self.buyer = buyer
        self.gradePrices = gradePrices
        self.levyBasisPoints = levyBasisPoints
        self.rejects = rejects
        self.contractQuantity = contractQuantity
        self.terms = terms
    }
}

/// A member's delivery into a pool; no grade: rejected.
public struct IntakeRecord: Sendable, Equatable {
    public let id: UUID
    public let poolID: UUID
    public let memberID: UUID
    public let quantity: Int
    public let grade: String?
    public let at: Date
}

/// Where a pool's money stands, and each member's part of it.
public struct PayoutRecord: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let memberID: UUID
        /// Her Σ quantity × grade price: what her share is in proportion to.
        public let worth: Int
        public let due: Int
        /// What has been passed on to her so far: credited to her account, in cash or against her debts.
        public let paid: Int
    }

    public let received: Int
    public let costsTotal: Int
    public let levy: Int
    public let distributable: Int
    public let members: [Member]
}

/// One member's part of a distribution: her new payout, how much of it repaid what she owed, the cash handed to her.
public struct Distribution: Sendable, Equatable {
    public let memberID: UUID
    public let payout: Int
    public let repaid: Int
    public let cash: Int
}

/// Pooled sales: the buyer's contract, members' graded deliveries, the buyer's payments and the pool's
/// costs, and each member's payout worked out from them.
public struct SalePoolService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// The word a delivery that did not make any grade is recorded with.
    public static let rejected = "rejected"

    public func create(_ groupID: UUID, _ draft: PoolDraft, by actor: Actor) async throws -> PoolRecord {
        let product = draft.product.trimmingCharacters(in: .whitespacesAndNewlines)
        let buyer = draft.buyer.trimmingCharacters(in: .whitespacesAndNewlines)
        if product.isEmpty { throw DomainError("producers.product-required", field: "product") }
        if buyer.isEmpty { throw DomainError("producers.buyer-required", field: "buyer") }
        if draft.gradePrices.isEmpty || draft.gradePrices.values.contains(where: { $0 < 0 })
            || draft.gradePrices.keys.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0 == Self.rejected }) {
            throw DomainError("producers.grades-invalid", field: "grade_prices")
        }
        guard (0...10_000).contains(draft.levyBasisPoints) else { throw DomainError("producers.levy-invalid", field: "levy_percent") }
        if let quantity = draft.contractQuantity, quantity < 0 { throw DomainError("producers.quantity-invalid", field: "contract_quantity") }
        return try await db.writeTransaction { tx in
            _ = try await ProducerGroupService(db: tx).group(groupID)
            let pool = SalePool()
            pool.groupID = groupID
            pool.product = product
            pool.buyer = buyer
            pool.gradePrices = String(decoding: try JSONEncoder().encode(draft.gradePrices), as: UTF8.self)
            pool.levyBasisPoints = draft.levyBasisPoints
            pool.rejects = draft.rejects
            pool.contractQuantity = draft.contractQuantity
            pool.terms = draft.terms.trimmingCharacters(in: .whitespacesAndNewlines)
            try await pool.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "sale_pool", entityID: pool.id, changes: [
                FieldChange(field: "product", from: nil, to: product), FieldChange(field: "buyer", from: nil, to: buyer),
                FieldChange(field: "levy_basis_points", from: nil, to: String(draft.levyBasisPoints)),
            ])
            return try Self.record(pool)
        }
    }

    public func pool(_ id: UUID) async throws -> PoolRecord {
        guard let pool = try await SalePool.find(id, on: db) else { throw DomainError.notFound("producers.pool") }
        return try Self.record(pool)
    }

    /// A group's pools, newest first.
    public func pools(of groupID: UUID) async throws -> [PoolRecord] {
        try await SalePool.query(on: db).filter(\.$groupID == groupID).sort(\.$createdAt, .descending).all().map(Self.record)
    }

    /// A pool's deliveries, in the order they were taken in.
    public func intakes(_ poolID: UUID) async throws -> [IntakeRecord] {
        try await PoolIntake.query(on: db).filter(\.$poolID == poolID).sort(\.$createdAt).sort(\.$id).all().map(Self.record)
    }

    public func intake(_ id: UUID) async throws -> IntakeRecord {
        guard let intake = try await PoolIntake.find(id, on: db) else { throw DomainError.notFound("producers.intake") }
        return Self.record(intake)
    }

    /// The buyer's payments and the pool's costs, oldest first.
    public func money(_ poolID: UUID) async throws -> [(payment: Bool, label: String, amount: Int, at: Date)] {
        try await PoolMoney.query(on: db).filter(\.$poolID == poolID).sort(\.$createdAt).all()
            .map { ($0.kind == "payment", $0.label, $0.amount, $0.createdAt ?? Date()) }
    }

    /// A member's delivery, weighed or counted, with its grade (or `rejected`).
    @discardableResult
    public func intake(_ poolID: UUID, member memberID: UUID, quantity: Int, grade: String?, by actor: Actor) async throws -> IntakeRecord {
        guard quantity > 0 else { throw DomainError("producers.quantity-invalid", field: "quantity") }
        return try await db.writeTransaction { tx in
            let pool = try await SalePoolService(db: tx).pool(poolID)
            guard let member = try await ProducerMember.find(memberID, on: tx), member.groupID == pool.groupID else {
                throw DomainError.notFound("producers.member")
            }
            let grade = grade?.trimmingCharacters(in: .whitespaces)
            let graded = grade == Self.rejected || grade?.isEmpty != false ? nil : grade
            if let graded, pool.gradePrices[graded] == nil {
                throw DomainError("producers.grade-unknown", field: "grade", arguments: ["grades": pool.gradePrices.keys.sorted().joined(separator: ", ")])
            }
            let intake = PoolIntake()
            intake.poolID = poolID
            intake.memberID = memberID
            intake.quantity = quantity
            intake.grade = graded
            try await intake.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: member.personID), action: "create", entity: "pool_intake",
                                      entityID: intake.id, changes: [
                FieldChange(field: "quantity", from: nil, to: String(quantity)), FieldChange(field: "grade", from: nil, to: graded ?? Self.rejected),
            ])
            return Self.record(intake)
        }
    }

    /// The buyer's payment (partial payments add up), or a cost the pool bears.
    public func record(_ poolID: UUID, payment: Bool, amount: Int, label: String = "", by actor: Actor) async throws {
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        if !payment && label.isEmpty { throw DomainError("producers.cost-label-required", field: "label") }
        try await db.writeTransaction { tx in
            _ = try await SalePoolService(db: tx).pool(poolID)
            let money = PoolMoney()
            money.poolID = poolID
            money.kind = payment ? "payment" : "cost"
            money.label = label
            money.amount = amount
            try await money.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "pool_\(money.kind)", entityID: money.id, changes: [
                FieldChange(field: "amount", from: nil, to: String(amount)),
            ])
        }
    }

    /// What each member is due from what the buyer has paid so far.
    public func payouts(_ poolID: UUID) async throws -> PayoutRecord {
        let pool = try await pool(poolID)
        let intakes = try await PoolIntake.query(on: db).filter(\.$poolID == poolID).all()
        let money = try await PoolMoney.query(on: db).filter(\.$poolID == poolID).all()
        let memberIDs = Array(Set(intakes.map(\.memberID))).sorted { $0.uuidString < $1.uuidString }
        let position = Dictionary(uniqueKeysWithValues: memberIDs.enumerated().map { ($1, $0) })
        let payout = PoolPayout.compute(
            intakes: intakes.map { Intake(member: position[$0.memberID]!, quantity: $0.quantity, grade: $0.grade) },
            gradePrices: pool.gradePrices, rejects: pool.rejects,
            received: money.filter { $0.kind == "payment" }.reduce(0) { $0 + $1.amount },
            costs: money.filter { $0.kind == "cost" }.reduce(0) { $0 + $1.amount }, levyBasisPoints: pool.levyBasisPoints)
        let paid = try await AccountEntry.query(on: db).filter(\.$sourceID == poolID).filter(\.$kind == .payout).all()
            .reduce(into: [UUID: Int]()) { $0[$1.memberID, default: 0] += $1.amount }
        return PayoutRecord(received: payout.received, costsTotal: payout.costs, levy: payout.levy, distributable: payout.distributable,
                            members: memberIDs.enumerated().map { i, id in
                                PayoutRecord.Member(memberID: id, worth: payout.worth[i] ?? 0, due: payout.due[i] ?? 0, paid: paid[id] ?? 0)
                            })
    }

    /// Passes on what has come in since the last time. Each member's new share is credited to her
    /// account; what she owes the group (inputs taken on credit) is repaid from it first and only the
    /// rest is handed to her in cash. The levy goes into the risk fund.
    public func distribute(_ poolID: UUID, by actor: Actor) async throws -> [Distribution] {
        try await db.writeTransaction { tx in
            try await RowLock.lock(SalePool.schema, id: poolID, on: tx)
            let pool = try await SalePoolService(db: tx).pool(poolID)
            let payouts = try await SalePoolService(db: tx).payouts(poolID)
            let levied = try await FundEntry.query(on: tx).filter(\.$sourceID == poolID).filter(\.$kind == .levy).all().reduce(0) { $0 + $1.amount }
            if payouts.levy > levied {
                try await GroupFundService.post(on: tx, group: pool.groupID, purse: .risk, kind: .levy, amount: payouts.levy - levied,
                                                member: nil, source: poolID, note: pool.product, by: actor)
            }
            let balances = try await MemberAccountService(db: tx).balances(pool.groupID)
            let shares = payouts.members.filter { $0.due > $0.paid }
            let holders = try await MemberAccountService.holders(shares.map(\.memberID), on: tx)
            var passed: [Distribution] = []
            var credited: [(holder: MemberAccountService.AccountHolder, amount: Int)] = []
            var handedOut: [(holder: MemberAccountService.AccountHolder, amount: Int)] = []
            for share in shares {
                let holder = holders[share.memberID]!
                let netting = CreditNetting.net(payout: share.due - share.paid, owed: max(0, -(balances[share.memberID] ?? 0)))
                credited.append((holder, share.due - share.paid))
                if netting.paidOut > 0 { handedOut.append((holder, -netting.paidOut)) }
                passed.append(Distribution(memberID: share.memberID, payout: share.due - share.paid, repaid: netting.repaid, cash: netting.paidOut))
            }
            // Payouts first, then the cash handed out of them: each member's lines keep that order. Both audited at once.
            let audit = try await MemberAccountService.postLeavingAudit(on: tx, credited, kind: .payout, source: poolID, note: pool.product, by: actor)
                + MemberAccountService.postLeavingAudit(on: tx, handedOut, kind: .cashOut, source: poolID, note: pool.product, by: actor)
            try await AuditLog.record(on: tx, audit)
            return passed
        }
    }

    static func record(_ i: PoolIntake) -> IntakeRecord {
        IntakeRecord(id: i.id!, poolID: i.poolID, memberID: i.memberID, quantity: i.quantity, grade: i.grade, at: i.createdAt ?? Date())
    }

    static func record(_ p: SalePool) throws -> PoolRecord {
        PoolRecord(id: p.id!, groupID: p.groupID, product: p.product, buyer: p.buyer,
                   gradePrices: try JSONDecoder().decode([String: Int].self, from: Data(p.gradePrices.utf8)),
                   levyBasisPoints: p.levyBasisPoints, rejects: p.rejects, contractQuantity: p.contractQuantity, terms: p.terms)
    }
}
