import AsharNetwork
import Fluent
import Foundation
import Kernel
import OpenAPIRuntime
import Producers
import Vapor

/// Members' money accounts, rounds' later steps, distributions, the group fund and shared equipment.
extension AsharAPI {
    func addProducerMember(_ input: Operations.AddProducerMember.Input) async throws -> Operations.AddProducerMember.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try await ProducerGroupService(db: req.db).join(group, personID: try Self.id(body.personId, field: "person_id"),
                                                                     role: ProducerRole(rawValue: (body.role ?? .member).rawValue)!,
                                                                     produces: body.produces ?? "", by: req.actor)
        return .created(.init(body: .json(Schemas.ProducerMember(
            id: member.id.uuidString, groupId: member.groupID.uuidString, personId: member.personID.uuidString,
            role: Schemas.ProducerMember.RolePayload(rawValue: member.role.rawValue)!, produces: member.produces, joinedOn: member.joinedOn))))
    }

    func openRound(_ input: Operations.OpenRound.Input) async throws -> Operations.OpenRound.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        return .ok(.init(body: .json(Self.round(try await PurchaseRoundService(db: req.db).publish(round.id, by: req.actor)))))
    }

    func markRoundOrdered(_ input: Operations.MarkRoundOrdered.Input) async throws -> Operations.MarkRoundOrdered.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        return .ok(.init(body: .json(Self.round(try await PurchaseRoundService(db: req.db).markOrdered(round.id, by: req.actor)))))
    }

    func settleRound(_ input: Operations.SettleRound.Input) async throws -> Operations.SettleRound.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        return .ok(.init(body: .json(Self.round(try await PurchaseRoundService(db: req.db).settle(round.id, by: req.actor)))))
    }

    func addRoundPayment(_ input: Operations.AddRoundPayment.Input) async throws -> Operations.AddRoundPayment.Output {
        let (req, round) = try await Self.managingRound(input.path.round)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try Self.id(body.memberId, field: "member_id")
        try await PurchaseRoundService(db: req.db).recordPayment(round.id, member: member, amount: body.amount, by: req.actor)
        return .created(.init(body: .json(Self.account(try await MemberAccountService(db: req.db).account(member)))))
    }

    func getMemberAccount(_ input: Operations.GetMemberAccount.Input) async throws -> Operations.GetMemberAccount.Output {
        let (req, member) = try await Self.managingMember(group: input.path.group, member: input.path.member)
        return .ok(.init(body: .json(Self.account(try await MemberAccountService(db: req.db).account(member)))))
    }

    func addMemberPayment(_ input: Operations.AddMemberPayment.Input) async throws -> Operations.AddMemberPayment.Output {
        let (req, member) = try await Self.managingMember(group: input.path.group, member: input.path.member)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard body.memberId == input.path.member else { throw DomainError("producers.member-mismatch", field: "member_id") }
        let account = try await MemberAccountService(db: req.db).recordPayment(member, amount: body.amount, note: body.note ?? "", by: req.actor)
        return .created(.init(body: .json(Self.account(account))))
    }

    func distributePool(_ input: Operations.DistributePool.Input) async throws -> Operations.DistributePool.Output {
        let (req, pool) = try await Self.managingPool(input.path.pool)
        let passed = try await SalePoolService(db: req.db).distribute(pool.id, by: req.actor)
        return .ok(.init(body: .json(Schemas.Distribution(members: passed.map {
            Schemas.DistributionMember(memberId: $0.memberID.uuidString, payout: $0.payout, repaid: $0.repaid, cash: $0.cash)
        }))))
    }

    // MARK: The group fund

    func getGroupFund(_ input: Operations.GetGroupFund.Input) async throws -> Operations.GetGroupFund.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        return .ok(.init(body: .json(Self.fund(try await GroupFundService(db: req.db).fund(group)))))
    }

    func payFundDues(_ input: Operations.PayFundDues.Input) async throws -> Operations.PayFundDues.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try await Self.member(body.memberId, of: group, on: req.db)
        try await GroupFundService(db: req.db).payDues(member, amount: body.amount, by: req.actor)
        return .created(.init(body: .json(Self.fund(try await GroupFundService(db: req.db).fund(group)))))
    }

    func listFundClaims(_ input: Operations.ListFundClaims.Input) async throws -> Operations.ListFundClaims.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        let page = Self.page(try await GroupFundService(db: req.db).claims(group), input.query.page, input.query.per)
        return .ok(.init(body: .json(Schemas.FundClaimList(items: page.items.map(Self.claim), total: page.total))))
    }

    func createFundClaim(_ input: Operations.CreateFundClaim.Input) async throws -> Operations.CreateFundClaim.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let member = try await Self.member(body.memberId, of: group, on: req.db)
        return .created(.init(body: .json(Self.claim(try await GroupFundService(db: req.db).claim(member, reason: body.reason, amount: body.amount,
                                                                                                 by: req.actor)))))
    }

    func voteOnClaim(_ input: Operations.VoteOnClaim.Input) async throws -> Operations.VoteOnClaim.Output {
        let (req, claim) = try await Self.managingClaim(input.path.claim)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .ok(.init(body: .json(Self.claim(try await GroupFundService(db: req.db).vote(
            claim.id, member: try Self.id(body.memberId, field: "member_id"), approve: body.approve, by: req.actor)))))
    }

    func payClaim(_ input: Operations.PayClaim.Input) async throws -> Operations.PayClaim.Output {
        let (req, claim) = try await Self.managingClaim(input.path.claim)
        return .ok(.init(body: .json(Self.claim(try await GroupFundService(db: req.db).pay(claim.id, by: req.actor)))))
    }

    // MARK: Shared equipment

    func listEquipment(_ input: Operations.ListEquipment.Input) async throws -> Operations.ListEquipment.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        let page = Self.page(try await EquipmentService(db: req.db).items(group), input.query.page, input.query.per)
        return .ok(.init(body: .json(Schemas.EquipmentList(items: page.items.map(Self.equipment), total: page.total))))
    }

    func addEquipment(_ input: Operations.AddEquipment.Input) async throws -> Operations.AddEquipment.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        var contributions: [UUID: Int] = [:]
        for c in body.contributions ?? [] { contributions[try Self.id(c.memberId, field: "member_id"), default: 0] += c.amount }
        let item = try await EquipmentService(db: req.db).add(group, name: body.name, roundID: try body.roundId.map { try Self.id($0, field: "round_id") },
                                                              fee: body.fee, unit: FeeUnit(rawValue: body.feeUnit.rawValue)!,
                                                              contributions: contributions, by: req.actor)
        return .created(.init(body: .json(Self.equipment(item))))
    }

    func listBookings(_ input: Operations.ListBookings.Input) async throws -> Operations.ListBookings.Output {
        let (req, item) = try await Self.managingEquipment(input.path.equipment)
        let page = Self.page(try await EquipmentService(db: req.db).bookings(item.id), input.query.page, input.query.per)
        return .ok(.init(body: .json(Schemas.BookingList(items: page.items.map(Self.booking), total: page.total))))
    }

    func bookEquipment(_ input: Operations.BookEquipment.Input) async throws -> Operations.BookEquipment.Output {
        let (req, item) = try await Self.managingEquipment(input.path.equipment)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.booking(try await EquipmentService(db: req.db).book(
            item.id, member: try Self.id(body.memberId, field: "member_id"), from: body.firstDay, to: body.lastDay, by: req.actor)))))
    }

    func handOverEquipment(_ input: Operations.HandOverEquipment.Input) async throws -> Operations.HandOverEquipment.Output {
        let (req, booking) = try await Self.managingBooking(input.path.booking)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .ok(.init(body: .json(Self.booking(try await EquipmentService(db: req.db).handOver(booking, condition: body.condition, by: req.actor)))))
    }

    func returnEquipment(_ input: Operations.ReturnEquipment.Input) async throws -> Operations.ReturnEquipment.Output {
        let (req, booking) = try await Self.managingBooking(input.path.booking)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .ok(.init(body: .json(Self.booking(try await EquipmentService(db: req.db).giveBack(
            booking, condition: body.condition, usage: body.usage, by: req.actor)))))
    }

    func cancelBooking(_ input: Operations.CancelBooking.Input) async throws -> Operations.CancelBooking.Output {
        let (req, booking) = try await Self.managingBooking(input.path.booking)
        return .ok(.init(body: .json(Self.booking(try await EquipmentService(db: req.db).cancel(booking, by: req.actor)))))
    }

    func addMaintenance(_ input: Operations.AddMaintenance.Input) async throws -> Operations.AddMaintenance.Output {
        let (req, item) = try await Self.managingEquipment(input.path.equipment)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        try await EquipmentService(db: req.db).maintain(item.id, label: body.label, amount: body.amount, by: req.actor)
        return .created(.init(body: .json(Self.fund(try await GroupFundService(db: req.db).fund(item.groupID)))))
    }

    func getRotation(_ input: Operations.GetRotation.Input) async throws -> Operations.GetRotation.Output {
        let (req, item) = try await Self.managingEquipment(input.path.equipment)
        return .ok(.init(body: .json(try await Self.rotation(item.id, on: req.db, page: input.query.page, per: input.query.per))))
    }

    func joinQueue(_ input: Operations.JoinQueue.Input) async throws -> Operations.JoinQueue.Output {
        let (req, item) = try await Self.managingEquipment(input.path.equipment)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        try await EquipmentService(db: req.db).wait(item.id, member: try Self.id(body.memberId, field: "member_id"), by: req.actor)
        return .created(.init(body: .json(try await Self.rotation(item.id, on: req.db))))
    }

    // MARK: -

    /// The group in the path, for a user who runs it.
    static func managingGroup(_ text: String) throws -> (Request, UUID) {
        let req = try APIRequest.get()
        let group = try id(text, notFound: "producers.group")
        try requireManaging(req, group: group)
        return (req, group)
    }

    /// A member of the group in the path, for a user who runs it.
    static func managingMember(group: String, member: String) async throws -> (Request, UUID) {
        let (req, group) = try managingGroup(group)
        return (req, try await Self.member(member, of: group, on: req.db))
    }

    static func member(_ text: String, of group: UUID, on db: any Database) async throws -> UUID {
        guard let id = UUID(uuidString: text), let member = try await ProducerMember.find(id, on: db), member.groupID == group else {
            throw DomainError.notFound("producers.member")
        }
        return id
    }

    static func managingClaim(_ text: String) async throws -> (Request, ClaimRecord) {
        try await managing(text, "producers.claim", { try await GroupFundService(db: $0).claim($1) }, group: \.groupID)
    }

    static func managingEquipment(_ text: String) async throws -> (Request, EquipmentRecord) {
        try await managing(text, "producers.equipment", { try await EquipmentService(db: $0).item($1) }, group: \.groupID)
    }

    static func managingBooking(_ text: String) async throws -> (Request, UUID) {
        let (req, item) = try await managing(text, "producers.booking", { db, id in
            guard let booking = try await EquipmentBooking.find(id, on: db) else { throw DomainError.notFound("producers.booking") }
            return (booking: id, item: try await EquipmentService(db: db).item(booking.equipmentID))
        }, group: \.item.groupID)
        return (req, item.booking)
    }

    static func account(_ a: AccountRecord) -> Schemas.MemberAccount {
        Schemas.MemberAccount(memberId: a.memberID.uuidString, balance: a.balance, lines: a.lines.map {
            Schemas.AccountLine(kind: Schemas.AccountLine.KindPayload(rawValue: $0.kind.rawValue)!, amount: $0.amount,
                                sourceId: $0.sourceID?.uuidString, note: $0.note, at: $0.at)
        })
    }

    static func fund(_ f: FundRecord) -> Schemas.GroupFund {
        Schemas.GroupFund(groupId: f.groupID.uuidString, rule: Schemas.GroupFund.RulePayload(rawValue: f.rule.rawValue)!,
                          balance: f.balances[.risk] ?? 0, maintenanceBalance: f.balances[.maintenance] ?? 0, lines: f.lines.map {
            Schemas.FundLine(purse: Schemas.FundLine.PursePayload(rawValue: $0.purse.rawValue)!, kind: Schemas.FundLine.KindPayload(rawValue: $0.kind.rawValue)!,
                             amount: $0.amount, memberId: $0.memberID?.uuidString, note: $0.note, at: $0.at)
        })
    }

    static func claim(_ c: ClaimRecord) -> Schemas.FundClaim {
        Schemas.FundClaim(id: c.id.uuidString, groupId: c.groupID.uuidString, memberId: c.memberID.uuidString, reason: c.reason, amount: c.amount,
                          status: Schemas.FundClaim.StatusPayload(rawValue: c.status.rawValue)!, approvals: c.approvals, refusals: c.refusals,
                          needed: c.needed)
    }

    static func equipment(_ e: EquipmentRecord) -> Schemas.Equipment {
        Schemas.Equipment(id: e.id.uuidString, groupId: e.groupID.uuidString, name: e.name, roundId: e.roundID?.uuidString, fee: e.fee,
                          feeUnit: Schemas.Equipment.FeeUnitPayload(rawValue: e.feeUnit.rawValue)!, owners: e.owners.map {
            // Hundredths of a percent to a percentage with two decimals: exact in a Double at this size.
            Schemas.Owner(memberId: $0.memberID.uuidString, contribution: $0.contribution, sharePercent: Double($0.share) / 100)
        })
    }

    static func booking(_ b: BookingRecord) -> Schemas.Booking {
        Schemas.Booking(id: b.id.uuidString, equipmentId: b.equipmentID.uuidString, memberId: b.memberID.uuidString, firstDay: b.firstDay,
                        lastDay: b.lastDay, status: Schemas.Booking.StatusPayload(rawValue: b.status.rawValue)!, conditionOut: b.conditionOut,
                        conditionBack: b.conditionBack, usage: b.usage, fee: b.fee)
    }

    static func rotation(_ equipment: UUID, on db: any Database, page: Int? = nil, per: Int? = nil) async throws -> Schemas.Rotation {
        let queue = Self.page(try await EquipmentService(db: db).rotation(equipment), page, per)
        return Schemas.Rotation(items: queue.items.map { Schemas.Waiting(memberId: $0.memberID.uuidString, daysUsed: $0.daysUsed) }, total: queue.total)
    }

    /// One page of a list the service gives whole (a group's lists are short), as DESIGN §6 has every list.
    static func page<T>(_ all: [T], _ page: Int?, _ per: Int?) -> (items: ArraySlice<T>, total: Int) {
        let query = PageQuery(page: page, per: per)
        return (all.dropFirst(query.offset).prefix(query.per), all.count)
    }
}

/// Suppliers and buyers, and suppliers' price lists.
extension AsharAPI {
    func listCounterparties(_ input: Operations.ListCounterparties.Input) async throws -> Operations.ListCounterparties.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        let page = Self.page(try await CounterpartyService(db: req.db).counterparties(group), input.query.page, input.query.per)
        return .ok(.init(body: .json(Schemas.CounterpartyList(items: page.items.map(Self.counterparty), total: page.total))))
    }

    func addCounterparty(_ input: Operations.AddCounterparty.Input) async throws -> Operations.AddCounterparty.Output {
        let (req, group) = try Self.managingGroup(input.path.group)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.counterparty(try await CounterpartyService(db: req.db).add(
            group, organisation: try Self.id(body.organisationId, field: "organisation_id"),
            kind: CounterpartyKind(rawValue: body.kind.rawValue)!, by: req.actor)))))
    }

    func getCatalogue(_ input: Operations.GetCatalogue.Input) async throws -> Operations.GetCatalogue.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let supplier = try Self.id(input.path.supplier, notFound: "producers.supplier")
        let page = Self.page(try await CounterpartyService(db: req.db).catalogue(supplier, on: input.query.day), input.query.page, input.query.per)
        return .ok(.init(body: .json(Schemas.Catalogue(items: page.items.map(Self.catalogueArticle), total: page.total))))
    }

    func addCatalogueArticle(_ input: Operations.AddCatalogueArticle.Input) async throws -> Operations.AddCatalogueArticle.Output {
        let (req, supplier) = try await Self.supplyingTo(input.path.supplier)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.catalogueArticle(try await CounterpartyService(db: req.db).addArticle(
            supplier, ArticleDraft(name: body.name, unit: body.unit, packageSize: body.packageSize,
                                   tiers: body.tiers.map { PriceTier(minQuantity: $0.minQuantity, unitPrice: $0.unitPrice) }),
            validFrom: body.validFrom, validTo: body.validTo, by: req.actor)))))
    }

    func importPriceList(_ input: Operations.ImportPriceList.Input) async throws -> Operations.ImportPriceList.Output {
        let (req, supplier) = try await Self.supplyingTo(input.path.supplier)
        guard case .csv(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let text = try await String(collecting: body, upTo: APIUploadLimits.priceList)
        let imported = try await CounterpartyService(db: req.db).importPriceList(supplier, rows: try PriceListFile.rows(text), by: req.actor)
        return .created(.init(body: .json(Schemas.ImportCount(imported: imported))))
    }

    /// The supplier in the path, for a user who runs a group that buys from it.
    static func supplyingTo(_ text: String) async throws -> (Request, UUID) {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let supplier = try id(text, notFound: "producers.supplier")
        let groups = try await Counterparty.query(on: req.db).filter(\.$organisationID == supplier).filter(\.$kind == .supplier).all().map(\.groupID)
        guard !groups.isEmpty else { throw DomainError.notFound("producers.supplier") }
        guard groups.contains(where: { ProducerAccess.canManage(user.grants.map(\.grant), group: $0) }) else { throw Abort(.forbidden) }
        return (req, supplier)
    }

    static func counterparty(_ c: CounterpartyRecord) -> Schemas.Counterparty {
        Schemas.Counterparty(id: c.id.uuidString, organisationId: c.organisation.id.uuidString,
                             kind: Schemas.Counterparty.KindPayload(rawValue: c.kind.rawValue)!, name: c.organisation.name,
                             phone: c.organisation.phone, address: c.organisation.address, contactPerson: c.organisation.contactPerson)
    }

    static func catalogueArticle(_ c: CatalogueRecord) -> Schemas.CatalogueArticle {
        Schemas.CatalogueArticle(id: c.id.uuidString, supplierId: c.supplierID.uuidString, name: c.article.name, unit: c.article.unit,
                                 packageSize: c.article.packageSize,
                                 tiers: c.article.tiers.map { Schemas.PriceTier(minQuantity: $0.minQuantity, unitPrice: $0.unitPrice) },
                                 validFrom: c.validFrom, validTo: c.validTo)
    }
}
