import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

public struct RoundRecord: Sendable, Equatable {
    public let id: UUID
    public let groupID: UUID
    public let supplierID: UUID?
    public let deadline: Date
    public let allocation: AllocationRule
    public let status: RoundStatus
}

public struct ArticleRecord: Sendable, Equatable {
    public let id: UUID
    public let roundID: UUID
    public let name: String
    public let unit: String
    public let packageSize: Int
    public let tiers: [PriceTier]
    public let receivedQuantity: Int?
}

public struct ArticleDraft: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var packageSize: Int
    public var tiers: [PriceTier]

    public init(name: String, unit: String, packageSize: Int, tiers: [PriceTier]) {
        self.name = name
        self.unit = unit
        self.packageSize = packageSize
        self.tiers = tiers
    }

    /// The draft trimmed, tiers in ascending order; refused with the first thing wrong with it.
    public func validated() throws -> ArticleDraft {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let unit = unit.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw DomainError("producers.article-name-required", field: "name") }
        if unit.isEmpty { throw DomainError("producers.unit-required", field: "unit") }
        if packageSize <= 0 { throw DomainError("producers.package-size-invalid", field: "package_size") }
        if tiers.isEmpty || tiers.contains(where: { $0.minQuantity < 0 || $0.unitPrice < 0 }) || Set(tiers.map(\.minQuantity)).count != tiers.count {
            throw DomainError("producers.tiers-invalid", field: "tiers")
        }
        return ArticleDraft(name: name, unit: unit, packageSize: packageSize, tiers: tiers.sorted { $0.minQuantity < $1.minQuantity })
    }
}

/// One line of a member's order: the article, what she wants for certain, what more she would take.
public struct OrderLineDraft: Sendable, Equatable {
    public let articleID: UUID
    public let quantity: Int
    public let tolerance: Int

    public init(articleID: UUID, quantity: Int, tolerance: Int = 0) {
        self.articleID = articleID
        self.quantity = quantity
        self.tolerance = tolerance
    }
}

/// A round worked out, by ids: each member's bill and the totals.
public struct SettlementRecord: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let articleID: UUID
        public let allocated: Int
        public let amount: Int
    }

    public struct Member: Sendable, Equatable {
        public let memberID: UUID
        public let lines: [Line]
        public let costs: Int
        public let total: Int
        public let saving: Int
    }

    public let members: [Member]
    public let supplierTotal: Int
    public let costsTotal: Int
}

/// Joint purchase rounds: articles, members' orders while open, closing, shared costs, what arrived,
/// and the settlement every member can check.
public struct PurchaseRoundService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// A new round, open for orders at once, or as a draft to prepare its articles first.
    public func create(_ groupID: UUID, supplierID: UUID?, deadline: Date, allocation: AllocationRule, draft: Bool = false, by actor: Actor,
                       now: Date = Date()) async throws -> RoundRecord {
        guard deadline > now else { throw DomainError("producers.deadline-past", field: "deadline") }
        return try await db.writeTransaction { tx in
            _ = try await ProducerGroupService(db: tx).group(groupID)
            if let supplierID, try await Organisation.find(supplierID, on: tx) == nil {
                throw DomainError("producers.supplier-unknown", field: "supplier_id")
            }
            let round = PurchaseRound()
            round.groupID = groupID
            round.supplierID = supplierID
            round.deadline = deadline
            round.allocation = allocation
            round.status = draft ? .draft : .open
            try await round.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "purchase_round", entityID: round.id, changes: [
                FieldChange(field: "deadline", from: nil, to: ISO8601DateFormatter().string(from: deadline)),
                FieldChange(field: "allocation", from: nil, to: allocation.rawValue),
            ])
            return Self.record(round)
        }
    }

    public func round(_ id: UUID) async throws -> RoundRecord {
        Self.record(try await Self.find(id, on: db))
    }

    public func addArticle(_ roundID: UUID, _ draft: ArticleDraft, by actor: Actor) async throws -> ArticleRecord {
        let draft = try draft.validated()
        return try await db.writeTransaction { tx in
            let round = try await Self.find(roundID, on: tx)
            guard [.draft, .open].contains(round.status) else { throw DomainError("producers.round-not-open", kind: .conflict) }
            let article = RoundArticleRow()
            article.roundID = roundID
            article.name = draft.name
            article.unit = draft.unit
            article.packageSize = draft.packageSize
            article.tiers = try Self.encode(draft.tiers)
            article.position = try await RoundArticleRow.query(on: tx).filter(\.$roundID == roundID).count()
            try await article.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "round_article", entityID: article.id, changes: [
                FieldChange(field: "name", from: nil, to: draft.name), FieldChange(field: "package_size", from: nil, to: String(draft.packageSize)),
            ])
            return try Self.record(article)
        }
    }

    /// A group's rounds, newest first.
    public func rounds(of groupID: UUID) async throws -> [RoundRecord] {
        try await PurchaseRound.query(on: db).filter(\.$groupID == groupID).sort(\.$createdAt, .descending).all().map(Self.record)
    }

    /// Every member's order lines in a round, by member.
    public func orders(_ roundID: UUID) async throws -> [UUID: [OrderLineDraft]] {
        let rows = try await RoundOrder.query(on: db).filter(\.$roundID == roundID).sort(\.$orderedAt).all()
        return Dictionary(grouping: rows, by: \.memberID).mapValues { $0.map { OrderLineDraft(articleID: $0.articleID, quantity: $0.quantity, tolerance: $0.tolerance) } }
    }

    public func costs(_ roundID: UUID) async throws -> [(label: String, amount: Int, splitBy: CostBasis)] {
        try await RoundCost.query(on: db).filter(\.$roundID == roundID).sort(\.$createdAt).all().map { ($0.label, $0.amount, $0.splitBy) }
    }

    /// While a round is open: per article, how full its packages are and the price the orders reach so far.
    public func fill(_ roundID: UUID) async throws -> [UUID: (fill: PackageFill, packages: Int, unitPrice: Int?)] {
        let articles = try await articles(roundID)
        let orders = Dictionary(grouping: try await RoundOrder.query(on: db).filter(\.$roundID == roundID).all(), by: \.articleID)
        var result: [UUID: (fill: PackageFill, packages: Int, unitPrice: Int?)] = [:]
        for article in articles {
            let lines = (orders[article.id] ?? []).enumerated().map {
                OrderLine(member: $0.offset, firm: $0.element.quantity, tolerance: $0.element.tolerance, sequence: $0.offset)
            }
            let packages = PackageRounding.packages(for: lines, packageSize: article.packageSize)
            result[article.id] = (PackageRounding.fill(ordered: lines.reduce(0) { $0 + $1.firm }, packageSize: article.packageSize), packages,
                                  PriceTiers.unitPrice(for: packages * article.packageSize, in: article.tiers))
        }
        return result
    }

    public func articles(_ roundID: UUID) async throws -> [ArticleRecord] {
        try await RoundArticleRow.query(on: db).filter(\.$roundID == roundID).sort(\.$position).all().map(Self.record)
    }

    /// Replaces a member's order in an open round before its deadline. A line of zero and no tolerance
    /// withdraws that article. A line she had already keeps its place in the queue ("first come").
    public func setOrder(_ roundID: UUID, member memberID: UUID, lines: [OrderLineDraft], by actor: Actor,
                         now: Date = Date()) async throws -> [OrderLineDraft] {
        if lines.contains(where: { $0.quantity < 0 || $0.tolerance < 0 }) {
            throw DomainError("producers.quantity-invalid", field: "quantity")
        }
        guard Set(lines.map(\.articleID)).count == lines.count else { throw DomainError("producers.article-twice", field: "article_id") }
        return try await db.writeTransaction { tx in
            let round = try await Self.find(roundID, on: tx)
            guard round.status != .draft else { throw DomainError("producers.round-draft", kind: .conflict) }
            guard round.status == .open else { throw DomainError("producers.round-not-open", kind: .conflict) }
            guard now < round.deadline else { throw DomainError("producers.deadline-passed", kind: .conflict) }
            guard let member = try await ProducerMember.find(memberID, on: tx), member.groupID == round.groupID else {
                throw DomainError.notFound("producers.member")
            }
            let articles = Set(try await RoundArticleRow.query(on: tx).filter(\.$roundID == roundID).all().compactMap(\.id))
            guard lines.allSatisfy({ articles.contains($0.articleID) }) else { throw DomainError("producers.article-not-in-round", field: "article_id") }
            let existing = try await RoundOrder.query(on: tx).filter(\.$roundID == roundID).filter(\.$memberID == memberID).all()
            let since = Dictionary(existing.map { ($0.articleID, $0.orderedAt) }, uniquingKeysWith: { a, _ in a })
            try await RoundOrder.query(on: tx).filter(\.$roundID == roundID).filter(\.$memberID == memberID).delete()
            for line in lines where line.quantity > 0 || line.tolerance > 0 {
                let order = RoundOrder()
                order.roundID = roundID
                order.memberID = memberID
                order.articleID = line.articleID
                order.quantity = line.quantity
                order.tolerance = line.tolerance
                order.orderedAt = since[line.articleID] ?? now
                try await order.create(on: tx)
            }
            try await AuditLog.record(on: tx, actor: actor.acting(for: member.personID), action: "update", entity: "round_order",
                                      entityID: roundID, changes: lines.map {
                FieldChange(field: $0.articleID.uuidString, from: nil, to: "\($0.quantity)+\($0.tolerance)")
            })
            return lines.filter { $0.quantity > 0 || $0.tolerance > 0 }
        }
    }

    /// A prepared round opens for members' orders.
    public func publish(_ roundID: UUID, by actor: Actor) async throws -> RoundRecord {
        try await advance(roundID, from: [.draft], to: .open, by: actor)
    }

    /// Ends ordering: from now on the packages and prices are fixed by the orders.
    public func close(_ roundID: UUID, by actor: Actor) async throws -> RoundRecord {
        try await advance(roundID, from: [.open], to: .closed, by: actor)
    }

    /// The coordinator has placed the order with the supplier.
    public func markOrdered(_ roundID: UUID, by actor: Actor) async throws -> RoundRecord {
        try await advance(roundID, from: [.closed], to: .ordered, by: actor)
    }

    /// Fixes the bills: each member's total is put on her account as what she owes the group. What she
    /// does not pay in cash she has on credit, repaid from her next pooled-sale payout.
    public func settle(_ roundID: UUID, by actor: Actor) async throws -> RoundRecord {
        try await advance(roundID, from: [.closed, .ordered, .received], to: .settled, by: actor) { tx, round in
            let (settlement, holders) = try await Self.settlementAndHolders(of: round, on: tx)
            let bills = settlement.members.filter { $0.total > 0 }
            return try await MemberAccountService.postLeavingAudit(on: tx, bills.map { (holders[$0.memberID]!, -$0.total) }, kind: .bill,
                                                                  source: roundID, note: "", by: actor)
        }
    }

    /// Cash a member paid towards her bill for this round.
    public func recordPayment(_ roundID: UUID, member memberID: UUID, amount: Int, by actor: Actor) async throws {
        let round = try await self.round(roundID)
        guard try await MemberAccountService.member(memberID, on: db).groupID == round.groupID else { throw DomainError.notFound("producers.member") }
        _ = try await MemberAccountService(db: db).recordPayment(memberID, amount: amount, source: roundID, by: actor)
    }

    /// What each member has paid in cash towards this round, by member id.
    public func payments(_ roundID: UUID) async throws -> [UUID: Int] {
        let rows = try await AccountEntry.query(on: db).filter(\.$sourceID == roundID).filter(\.$kind == .payment).all()
        return rows.reduce(into: [:]) { $0[$1.memberID, default: 0] += $1.amount }
    }

    /// Moves a round one step on, if it is at one of the steps it may move from; `also` runs in the same
    /// transaction and hands back its audit lines, recorded with the step's own in one statement.
    func advance(_ roundID: UUID, from: Set<RoundStatus>, to next: RoundStatus, by actor: Actor,
                 also: @escaping @Sendable (any Database, PurchaseRound) async throws -> [AuditLog.Line] = { _, _ in [] }) async throws -> RoundRecord {
        try await db.writeTransaction { tx in
            let round = try await Self.find(roundID, on: tx)
            guard from.contains(round.status) else {
                let reason = from == [.draft] ? "producers.round-wrong-step" : round.status == .draft ? "producers.round-draft"
                    : from == [.open] ? "producers.round-not-open"
                    : round.status == .settled ? "producers.round-settled" : round.status == .open ? "producers.round-still-open" : "producers.round-wrong-step"
                throw DomainError(reason, kind: .conflict)
            }
            let before = round.status
            round.status = next
            try await round.update(on: tx)
            let lines = try await also(tx, round)
            try await AuditLog.record(on: tx, lines + [
                AuditLog.Line(actor: actor, action: "update", entity: "purchase_round", entityID: roundID, changes: [
                    FieldChange(field: "status", from: before.rawValue, to: next.rawValue),
                ]),
            ])
            return Self.record(round)
        }
    }

    public func addCost(_ roundID: UUID, label: String, amount: Int, splitBy: CostBasis, by actor: Actor) async throws {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        if label.isEmpty { throw DomainError("producers.cost-label-required", field: "label") }
        if amount < 0 { throw DomainError("producers.amount-invalid", field: "amount") }
        try await db.writeTransaction { tx in
            let round = try await Self.find(roundID, on: tx)
            guard round.status != .settled else { throw DomainError("producers.round-settled", kind: .conflict) }
            let cost = RoundCost()
            cost.roundID = roundID
            cost.label = label
            cost.amount = amount
            cost.splitBy = splitBy
            try await cost.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "round_cost", entityID: cost.id, changes: [
                FieldChange(field: "label", from: nil, to: label), FieldChange(field: "amount", from: nil, to: String(amount)),
            ])
        }
    }

    /// What really arrived, article by article; the round's goods are shared out again from it.
    public func recordReceipt(_ roundID: UUID, lines: [(articleID: UUID, quantity: Int)], by actor: Actor) async throws -> RoundRecord {
        if lines.contains(where: { $0.quantity < 0 }) { throw DomainError("producers.quantity-invalid", field: "quantity") }
        return try await db.writeTransaction { tx in
            let round = try await Self.find(roundID, on: tx)
            guard [.closed, .ordered, .received].contains(round.status) else {
                throw DomainError([.draft, .open].contains(round.status) ? "producers.round-still-open" : "producers.round-settled", kind: .conflict)
            }
            let articles = Dictionary(try await RoundArticleRow.query(on: tx).filter(\.$roundID == roundID).all().map { ($0.id!, $0) },
                                      uniquingKeysWith: { a, _ in a })
            for line in lines {
                guard let article = articles[line.articleID] else { throw DomainError("producers.article-not-in-round", field: "article_id") }
                let before = article.receivedQuantity
                article.receivedQuantity = line.quantity
                try await article.update(on: tx)
                try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "round_article", entityID: article.id, changes: [
                    FieldChange(field: "received_quantity", from: before.map(String.init), to: String(line.quantity)),
                ])
            }
            round.status = .received
            try await round.update(on: tx)
            return Self.record(round)
        }
    }

    /// Each member's bill. Before closing, a preview of the bills were the round closed now.
    public func settlement(_ roundID: UUID) async throws -> SettlementRecord {
        try await Self.settlementAndHolders(of: try await Self.find(roundID, on: db), on: db).settlement
    }

    /// The settlement and the holders of the accounts its bills go to, who come with the orders' read:
    /// settling a round then needs no statement of its own for them.
    static func settlementAndHolders(of round: PurchaseRound, on db: any Database) async throws
        -> (settlement: SettlementRecord, holders: [UUID: MemberAccountService.AccountHolder]) {
        let roundID = round.id!
        let articles = try await RoundArticleRow.query(on: db).filter(\.$roundID == roundID).sort(\.$position).all()
        // Read with SQL, not as models: Fluent's reflection over each order's fields cost more than the read.
        let orders = try await (db as! any SQLDatabase).raw("""
            SELECT o.member_id, o.article_id, o.quantity, o.tolerance, m.group_id, m.person_id
            FROM producer_orders o JOIN producer_members m ON m.id = o.member_id
            WHERE o.round_id = \(bind: roundID) ORDER BY o.ordered_at, o.id
            """).all().map { row in
            (holder: MemberAccountService.AccountHolder(id: try row.decode(column: "member_id", as: UUID.self),
                                                         groupID: try row.decode(column: "group_id", as: UUID.self),
                                                         personID: try row.decode(column: "person_id", as: UUID.self)),
             articleID: try row.decode(column: "article_id", as: UUID.self),
             quantity: try row.decode(column: "quantity", as: Int.self), tolerance: try row.decode(column: "tolerance", as: Int.self))
        }
        let costs = try await RoundCost.query(on: db).filter(\.$roundID == roundID).all()
        let holders = Dictionary(orders.map { ($0.holder.id, $0.holder) }, uniquingKeysWith: { first, _ in first })
        let memberIDs = holders.keys.sorted()
        let position = Dictionary(uniqueKeysWithValues: memberIDs.enumerated().map { ($1, $0) })
        let byArticle = Dictionary(grouping: orders.enumerated(), by: { $0.element.articleID })
        let inputs = try articles.map { article in
            RoundArticle(packageSize: article.packageSize, tiers: try Self.decode(article.tiers),
                         orders: (byArticle[article.id!] ?? []).map {
                             OrderLine(member: position[$0.element.holder.id]!, firm: $0.element.quantity, tolerance: $0.element.tolerance,
                                       sequence: $0.offset)
                         },
                         received: article.receivedQuantity)
        }
        let settled = RoundSettlement.compute(inputs, rule: round.allocation,
                                              costs: costs.map { SharedCost(amount: $0.amount, basis: $0.splitBy) })
        return (SettlementRecord(
            members: settled.members.map { bill in
                SettlementRecord.Member(memberID: memberIDs[bill.member],
                                        lines: bill.lines.map { .init(articleID: articles[$0.article].id!, allocated: $0.allocated, amount: $0.amount) },
                                        costs: bill.costs, total: bill.total, saving: bill.saving)
            },
            supplierTotal: settled.supplierTotal, costsTotal: settled.costsTotal), holders)
    }

    // MARK: -

    static func find(_ id: UUID, on db: any Database) async throws -> PurchaseRound {
        guard let round = try await PurchaseRound.find(id, on: db) else { throw DomainError.notFound("producers.round") }
        return round
    }

    static func record(_ r: PurchaseRound) -> RoundRecord {
        RoundRecord(id: r.id!, groupID: r.groupID, supplierID: r.supplierID, deadline: r.deadline, allocation: r.allocation, status: r.status)
    }

    static func record(_ a: RoundArticleRow) throws -> ArticleRecord {
        ArticleRecord(id: a.id!, roundID: a.roundID, name: a.name, unit: a.unit, packageSize: a.packageSize, tiers: try decode(a.tiers),
                      receivedQuantity: a.receivedQuantity)
    }

    static func encode(_ tiers: [PriceTier]) throws -> String {
        String(decoding: try JSONEncoder().encode(tiers), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [PriceTier] {
        try JSONDecoder().decode([PriceTier].self, from: Data(text.utf8))
    }
}
