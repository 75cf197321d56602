import AsharNetwork
import Fluent
import Foundation
import Kernel
import Producers
import Vapor

/// The Producers context: groups, their members, and joint purchase rounds. Amounts are tyiyn;
/// quantities whole numbers of the article's unit.
extension AsharAPI {
    func listProducerGroups(_ input: Operations.ListProducerGroups.Input) async throws -> Operations.ListProducerGroups.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let list = try await ProducerGroupService(db: req.db).groups(page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.ProducerGroupList(
            items: list.items.map { Schemas.ProducerGroup(id: $0.id.uuidString, name: $0.name, memberCount: $0.memberCount) },
            total: list.total))))
    }

    func listProducerMembers(_ input: Operations.ListProducerMembers.Input) async throws -> Operations.ListProducerMembers.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let group = try Self.id(input.path.group, notFound: "producers.group")
        let list = try await ProducerGroupService(db: req.db).members(group, page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.ProducerMemberList(items: list.items.map {
            Schemas.ProducerMember(id: $0.id.uuidString, groupId: $0.groupID.uuidString, personId: $0.personID.uuidString,
                                   role: Schemas.ProducerMember.RolePayload(rawValue: $0.role.rawValue)!, produces: $0.produces,
                                   joinedOn: $0.joinedOn)
        }, total: list.total))))
    }

    func createRound(_ input: Operations.CreateRound.Input) async throws -> Operations.CreateRound.Output {
        let req = try APIRequest.get()
        let group = try Self.id(input.path.group, notFound: "producers.group")
        try Self.requireManaging(req, group: group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let round = try await PurchaseRoundService(db: req.db).create(
            group, supplierID: try body.supplierId.map { try Self.id($0, field: "supplier_id") }, deadline: body.deadline,
            allocation: AllocationRule(rawValue: (body.allocation ?? .firstCome).rawValue)!, draft: body.draft ?? false, by: req.actor)
        return .created(.init(body: .json(Self.round(round))))
    }

    func addRoundArticle(_ input: Operations.AddRoundArticle.Input) async throws -> Operations.AddRoundArticle.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let article = try await PurchaseRoundService(db: req.db).addArticle(round.id, ArticleDraft(
            name: body.name, unit: body.unit, packageSize: body.packageSize,
            tiers: body.tiers.map { PriceTier(minQuantity: $0.minQuantity, unitPrice: $0.unitPrice) }), by: req.actor)
        return .created(.init(body: .json(Schemas.Article(
            id: article.id.uuidString, roundId: article.roundID.uuidString, name: article.name, unit: article.unit,
            packageSize: article.packageSize, tiers: article.tiers.map { Schemas.PriceTier(minQuantity: $0.minQuantity, unitPrice: $0.unitPrice) },
            receivedQuantity: article.receivedQuantity))))
    }

    func setRoundOrder(_ input: Operations.SetRoundOrder.Input) async throws -> Operations.SetRoundOrder.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try Self.id(input.path.member, notFound: "producers.member")
        let lines = try await PurchaseRoundService(db: req.db).setOrder(round.id, member: member, lines: try body.lines.map {
            OrderLineDraft(articleID: try Self.id($0.articleId, field: "article_id"), quantity: $0.quantity, tolerance: $0.tolerance ?? 0)
        }, by: req.actor)
        return .ok(.init(body: .json(Schemas.Order(roundId: round.id.uuidString, memberId: member.uuidString, lines: lines.map {
            Schemas.OrderLineInput(articleId: $0.articleID.uuidString, quantity: $0.quantity, tolerance: $0.tolerance)
        }))))
    }

    func closeRound(_ input: Operations.CloseRound.Input) async throws -> Operations.CloseRound.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        return .ok(.init(body: .json(Self.round(try await PurchaseRoundService(db: req.db).close(round.id, by: req.actor)))))
    }

    func addRoundCost(_ input: Operations.AddRoundCost.Input) async throws -> Operations.AddRoundCost.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        try await PurchaseRoundService(db: req.db).addCost(round.id, label: body.label, amount: body.amount,
                                                            splitBy: CostBasis(rawValue: body.splitBy.rawValue)!, by: req.actor)
        return .created(.init(body: .json(Schemas.Cost(roundId: round.id.uuidString, label: body.label.trimmingCharacters(in: .whitespacesAndNewlines),
                                                      amount: body.amount, splitBy: Schemas.Cost.SplitByPayload(rawValue: body.splitBy.rawValue)!))))
    }

    func recordRoundReceipt(_ input: Operations.RecordRoundReceipt.Input) async throws -> Operations.RecordRoundReceipt.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let received = try await PurchaseRoundService(db: req.db).recordReceipt(round.id, lines: try body.lines.map {
            (articleID: try Self.id($0.articleId, field: "article_id"), quantity: $0.quantity)
        }, by: req.actor)
        return .ok(.init(body: .json(Self.round(received))))
    }

    func getRoundSettlement(_ input: Operations.GetRoundSettlement.Input) async throws -> Operations.GetRoundSettlement.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        let settlement = try await PurchaseRoundService(db: req.db).settlement(round.id)
        let paid = try await PurchaseRoundService(db: req.db).payments(round.id)
        return .ok(.init(body: .json(Schemas.Settlement(
            members: settlement.members.map { m in
                Schemas.SettlementMember(memberId: m.memberID.uuidString, lines: m.lines.map {
                    Schemas.SettlementLine(articleId: $0.articleID.uuidString, allocated: $0.allocated, amount: $0.amount)
                }, costs: m.costs, total: m.total, saving: m.saving, paid: paid[m.memberID] ?? 0)
            },
            supplierTotal: settlement.supplierTotal, costsTotal: settlement.costsTotal))))
    }

    // MARK: -

    static func requireManaging(_ req: Request, group: UUID) throws {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        guard ProducerAccess.canManage(user.grants.map(\.grant), group: group) else { throw Abort(.forbidden) }
    }

    /// The round in the path, for a user who runs its group.
    static func managingRound(_ text: String) async throws -> (Request, RoundRecord) {
        try await managing(text, "producers.round", { try await PurchaseRoundService(db: $0).round($1) }, group: \.groupID)
    }

    /// What the path names (looked up by `find`), for a user who runs the group it belongs to; 401 before anything is looked up.
    static func managing<T>(_ text: String, _ what: String, _ find: (any Database, UUID) async throws -> T,
                            group: (T) -> UUID) async throws -> (Request, T) {
        let req = try APIRequest.get()
        guard req.currentUser != nil else { throw Abort(.unauthorized) }
        let found = try await find(req.db, try id(text, notFound: what))
        try requireManaging(req, group: group(found))
        return (req, found)
    }

    static func round(_ r: RoundRecord) -> Schemas.Round {
        Schemas.Round(id: r.id.uuidString, groupId: r.groupID.uuidString, supplierId: r.supplierID?.uuidString, deadline: r.deadline,
                      allocation: Schemas.Round.AllocationPayload(rawValue: r.allocation.rawValue)!,
                      status: Schemas.Round.StatusPayload(rawValue: r.status.rawValue)!)
    }
}

/// Pooled sales: the buyer's contract, graded deliveries, payments and costs, and each member's payout.
extension AsharAPI {
    func createPool(_ input: Operations.CreatePool.Input) async throws -> Operations.CreatePool.Output {
        let req = try APIRequest.get()
        let group = try Self.id(input.path.group, notFound: "producers.group")
        try Self.requireManaging(req, group: group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        // A percentage at the edge (2.5), whole hundredths of a percent inside: money is never a Double.
        let hundredths = ((body.levyPercent ?? 0) * 100).rounded()
        guard hundredths.isFinite, abs(hundredths - (body.levyPercent ?? 0) * 100) < 1e-6, (0...10_000).contains(hundredths) else {
            throw DomainError("producers.levy-invalid", field: "levy_percent")
        }
        let pool = try await SalePoolService(db: req.db).create(group, PoolDraft(
            product: body.product, buyer: body.buyer, gradePrices: body.gradePrices.additionalProperties,
            levyBasisPoints: Int(hundredths), rejects: RejectRule(rawValue: (body.rejects ?? .member).rawValue)!,
            contractQuantity: body.contractQuantity, terms: body.terms ?? ""), by: req.actor)
        return .created(.init(body: .json(Self.pool(pool))))
    }

    func addPoolIntake(_ input: Operations.AddPoolIntake.Input) async throws -> Operations.AddPoolIntake.Output {
        let (req, pool) = try await Self.managingPool(input.path.pool)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try Self.id(body.memberId, field: "member_id")
        try await SalePoolService(db: req.db).intake(pool.id, member: member, quantity: body.quantity, grade: body.grade, by: req.actor)
        return .created(.init(body: .json(Schemas.Intake(poolId: pool.id.uuidString, memberId: member.uuidString, quantity: body.quantity,
                                                        grade: body.grade))))
    }

    func addPoolCost(_ input: Operations.AddPoolCost.Input) async throws -> Operations.AddPoolCost.Output {
        let (req, pool) = try await Self.managingPool(input.path.pool)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        try await SalePoolService(db: req.db).record(pool.id, payment: false, amount: body.amount, label: body.label, by: req.actor)
        return .created(.init(body: .json(Schemas.PoolMoney(poolId: pool.id.uuidString, label: body.label, amount: body.amount))))
    }

    func addPoolPayment(_ input: Operations.AddPoolPayment.Input) async throws -> Operations.AddPoolPayment.Output {
        let (req, pool) = try await Self.managingPool(input.path.pool)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        try await SalePoolService(db: req.db).record(pool.id, payment: true, amount: body.amount, by: req.actor)
        return .created(.init(body: .json(Schemas.PoolMoney(poolId: pool.id.uuidString, amount: body.amount))))
    }

    func getPoolPayouts(_ input: Operations.GetPoolPayouts.Input) async throws -> Operations.GetPoolPayouts.Output {
        let (req, pool) = try await Self.managingPool(input.path.pool)
        let payouts = try await SalePoolService(db: req.db).payouts(pool.id)
        return .ok(.init(body: .json(Schemas.Payouts(
            members: payouts.members.map { Schemas.PayoutMember(memberId: $0.memberID.uuidString, worth: $0.worth, due: $0.due, paid: $0.paid) },
            levy: payouts.levy, costsTotal: payouts.costsTotal, received: payouts.received, distributable: payouts.distributable))))
    }

    /// The pool in the path, for a user who runs its group.
    static func managingPool(_ text: String) async throws -> (Request, PoolRecord) {
        try await managing(text, "producers.pool", { try await SalePoolService(db: $0).pool($1) }, group: \.groupID)
    }

    static func pool(_ p: PoolRecord) -> Schemas.Pool {
        Schemas.Pool(id: p.id.uuidString, groupId: p.groupID.uuidString, product: p.product, buyer: p.buyer,
                     gradePrices: .init(additionalProperties: p.gradePrices), levyPercent: Double(p.levyBasisPoints) / 100,
                     rejects: Schemas.Pool.RejectsPayload(rawValue: p.rejects.rawValue)!, contractQuantity: p.contractQuantity, terms: p.terms)
    }
}
