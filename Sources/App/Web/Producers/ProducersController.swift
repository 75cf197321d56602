import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// Producer groups on the web: the list, a group's members and rounds, and a joint purchase round from
/// orders to the settlement sheet every member can check (printable).
struct ProducersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("producer-groups", use: index)
        routes.get("producer-groups", ":group", use: group)
        routes.post("producer-groups", ":group", "rounds", use: createRound)
        let round = routes.grouped("rounds", ":round")
        round.get(use: show)
        round.post("articles", use: addArticle)
        round.post("orders", use: setOrder)
        round.post("close", use: close)
        round.post("costs", use: addCost)
        round.post("receipt", use: receipt)
    }

    struct GroupItem: Encodable {
        let id: UUID
        let name: String
        let members: Int
        let canManage: Bool
    }

    @Sendable func index(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let groups = try await ProducerGroupService(db: req.db).groups(page: PageQuery(page: 1, per: 200)).items
        let grants = user.grants.map(\.grant)
        return try await req.render("producers/index", title: req.t("producers.title"), ["groups": groups.map {
            GroupItem(id: $0.id, name: $0.name, members: $0.memberCount, canManage: ProducerAccess.canManage(grants, group: $0.id))
        }])
    }

    struct MemberItem: Encodable {
        let name: String
        let role: String
        let produces: String
        let joined: String
    }

    struct RoundItem: Encodable {
        let id: UUID
        let status: String
        let deadline: String
    }

    struct RoundForm: Content {
        var deadline: String?
        var allocation: String?
    }

    struct GroupPage: Encodable {
        let id: UUID
        let name: String
        let members: [MemberItem]
        let rounds: [RoundItem]
        let allocations: [Choice]
        let form: RoundForm
        let errors: FieldErrors
    }

    @Sendable func group(req: Request) async throws -> Response {
        try await renderGroup(req, form: RoundForm(deadline: BishkekCalendar.day(of: Date().addingTimeInterval(7 * 86_400))), errors: [:])
    }

    func renderGroup(_ req: Request, form: RoundForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let group = try await managedGroup(req)
        let members = try await ProducerGroupService(db: req.db).members(group.id, page: PageQuery(page: 1, per: 200)).items
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        let rounds = try await PurchaseRoundService(db: req.db).rounds(of: group.id)
        let page = GroupPage(
            id: group.id, name: group.name,
            members: members.map { MemberItem(name: people[$0.personID]?.fullName ?? "", role: req.t("producers.role.\($0.role.rawValue)"),
                                              produces: $0.produces, joined: $0.joinedOn) },
            rounds: rounds.map { RoundItem(id: $0.id, status: req.t("round.status.\($0.status.rawValue)"), deadline: BishkekTime.format($0.deadline)) },
            allocations: AllocationRule.allCases.map { Choice(value: $0.rawValue, label: req.t("round.allocation.\($0.rawValue)"),
                                                              selected: $0.rawValue == (form.allocation ?? AllocationRule.firstCome.rawValue)) },
            form: form, errors: errors)
        return try await req.render("producers/group", title: req.t("producers.group"), page, status: status)
    }

    @Sendable func createRound(req: Request) async throws -> Response {
        let group = try await managedGroup(req)
        let form = try req.content.decode(RoundForm.self)
        do {
            // The deadline is the end of the chosen day in Bishkek.
            guard let day = form.deadline, let start = BishkekCalendar.start(of: day) else {
                throw DomainError("producers.deadline-past", field: "deadline")
            }
            let round = try await PurchaseRoundService(db: req.db).create(
                group.id, supplierID: nil, deadline: start.addingTimeInterval(86_400 - 1),
                allocation: form.allocation.flatMap(AllocationRule.init(rawValue:)) ?? .firstCome, by: req.actor)
            return req.redirect(to: "/rounds/\(round.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderGroup(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: - A round

    struct ArticleItem: Encodable {
        let id: UUID
        let name: String
        let unit: String
        let packageSize: Int
        let tiers: String
        let fill: String
        let packages: Int
        let unitPrice: String
        let received: Int?
    }

    struct OrderRow: Encodable {
        let member: String
        let cells: [String]
    }

    struct BillRow: Encodable {
        let member: String
        let lines: [String]
        let goods: String
        let costs: String
        let total: String
        let saving: String
    }

    struct CostRow: Encodable {
        let label: String
        let amount: String
        let split: String
    }

    struct RoundPage: Encodable {
        let id: UUID
        let groupID: UUID
        let groupName: String
        let status: String
        let deadline: String
        let allocation: String
        let isOpen: Bool
        let isClosed: Bool
        let articles: [ArticleItem]
        let orders: [OrderRow]
        let members: [Choice]
        let costs: [CostRow]
        let splits: [Choice]
        let bills: [BillRow]
        let supplierTotal: String
        let costsTotal: String
        let grandTotal: String
        let errors: FieldErrors
        /// The same reasons as a list, above the page: a round's forms share one page.
        let messages: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderRound(req, errors: [:])
    }

    func renderRound(_ req: Request, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let (round, group) = try await managedRound(req)
        let rounds = PurchaseRoundService(db: req.db)
        let articles = try await rounds.articles(round.id)
        let fill = try await rounds.fill(round.id)
        let orders = try await rounds.orders(round.id)
        let members = try await ProducerGroupService(db: req.db).members(group.id, page: PageQuery(page: 1, per: 500)).items
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        let name = Dictionary(uniqueKeysWithValues: members.map { ($0.id, people[$0.personID]?.fullName ?? "") })
        let settlement = try await rounds.settlement(round.id)
        let articleNames = Dictionary(uniqueKeysWithValues: articles.map { ($0.id, $0) })
        let page = RoundPage(
            id: round.id, groupID: group.id, groupName: group.name, status: req.t("round.status.\(round.status.rawValue)"),
            deadline: BishkekTime.format(round.deadline), allocation: req.t("round.allocation.\(round.allocation.rawValue)"),
            isOpen: round.status == .open, isClosed: round.status != .open && round.status != .settled,
            articles: articles.map { a in
                let f = fill[a.id]
                return ArticleItem(
                    id: a.id, name: a.name, unit: a.unit, packageSize: a.packageSize,
                    tiers: a.tiers.map { "\($0.minQuantity)+ \(a.unit): \(Som.format($0.unitPrice))" }.joined(separator: "; "),
                    fill: f.map {
                        $0.fill.shortOfNext == 0 ? req.t("round.fill-exact", ["full": String($0.fill.fullPackages)])
                            : req.t("round.fill", ["full": String($0.fill.fullPackages), "short": String($0.fill.shortOfNext), "unit": a.unit])
                    } ?? "",
                    packages: f?.packages ?? 0, unitPrice: f?.unitPrice.map(Som.format) ?? "—", received: a.receivedQuantity)
            },
            orders: orders.sorted { name[$0.key] ?? "" < name[$1.key] ?? "" }.map { member, lines in
                let byArticle = Dictionary(uniqueKeysWithValues: lines.map { ($0.articleID, $0) })
                return OrderRow(member: name[member] ?? "", cells: articles.map { a in
                    guard let line = byArticle[a.id] else { return "" }
                    return line.tolerance > 0 ? "\(line.quantity) (+\(line.tolerance))" : "\(line.quantity)"
                })
            },
            members: members.map { Choice(value: $0.id.uuidString, label: name[$0.id] ?? "", selected: false) }
                .sorted { $0.label < $1.label },
            costs: try await rounds.costs(round.id).map { CostRow(label: $0.label, amount: Som.format($0.amount), split: req.t("round.split.\($0.splitBy.rawValue)")) },
            splits: CostBasis.allCases.map { Choice(value: $0.rawValue, label: req.t("round.split.\($0.rawValue)"), selected: false) },
            bills: settlement.members.map { m in
                BillRow(member: name[m.memberID] ?? "",
                        lines: m.lines.map { l in
                            let a = articleNames[l.articleID]
                            return "\(a?.name ?? ""): \(l.allocated) \(a?.unit ?? "") = \(Som.format(l.amount))"
                        },
                        goods: Som.format(m.total - m.costs), costs: Som.format(m.costs), total: Som.format(m.total), saving: Som.format(m.saving))
            }.sorted { $0.member < $1.member },
            supplierTotal: Som.format(settlement.supplierTotal), costsTotal: Som.format(settlement.costsTotal),
            grandTotal: Som.format(settlement.supplierTotal + settlement.costsTotal), errors: errors,
            messages: errors.sorted { $0.key < $1.key }.map(\.value))
        return try await req.render("producers/round", title: req.t("round.title"), page, status: status)
    }

    struct ArticleForm: Content {
        var name: String?
        var unit: String?
        var package_size: String?
        /// "1:30; 500:24": from this quantity up, this many som per unit.
        var tiers: String?
    }

    @Sendable func addArticle(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let form = try req.content.decode(ArticleForm.self)
        return try await acting(req) {
            let tiers = try PriceTiers.parse(form.tiers ?? "")
            _ = try await PurchaseRoundService(db: req.db).addArticle(round.id, ArticleDraft(
                name: form.name ?? "", unit: form.unit ?? "", packageSize: Int(form.package_size ?? "") ?? 0, tiers: tiers), by: req.actor)
        }
    }

    @Sendable func setOrder(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let fields = try req.content.decode([String: String].self)
        return try await acting(req) {
            guard let member = req.uuid(fields["member_id"]) else { throw DomainError.notFound("producers.member") }
            let articles = try await PurchaseRoundService(db: req.db).articles(round.id)
            let lines = try articles.compactMap { a -> OrderLineDraft? in
                let quantity = fields["quantity_\(a.id)"]?.trimmingCharacters(in: .whitespaces) ?? ""
                let tolerance = fields["tolerance_\(a.id)"]?.trimmingCharacters(in: .whitespaces) ?? ""
                if quantity.isEmpty && tolerance.isEmpty { return nil }
                guard let q = Int(quantity.isEmpty ? "0" : quantity), let t = Int(tolerance.isEmpty ? "0" : tolerance) else {
                    throw DomainError("producers.quantity-invalid", field: "quantity")
                }
                return OrderLineDraft(articleID: a.id, quantity: q, tolerance: t)
            }
            _ = try await PurchaseRoundService(db: req.db).setOrder(round.id, member: member, lines: lines, by: req.actor)
        }
    }

    @Sendable func close(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        return try await acting(req) { _ = try await PurchaseRoundService(db: req.db).close(round.id, by: req.actor) }
    }

    struct CostForm: Content {
        var label: String?
        var amount: String?
        var split_by: String?
    }

    @Sendable func addCost(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let form = try req.content.decode(CostForm.self)
        return try await acting(req) {
            guard let amount = Som.tyiyn(form.amount) else { throw DomainError("producers.amount-invalid", field: "amount") }
            try await PurchaseRoundService(db: req.db).addCost(round.id, label: form.label ?? "", amount: amount,
                                                                splitBy: form.split_by.flatMap(CostBasis.init(rawValue:)) ?? .value, by: req.actor)
        }
    }

    @Sendable func receipt(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let fields = try req.content.decode([String: String].self)
        return try await acting(req) {
            let articles = try await PurchaseRoundService(db: req.db).articles(round.id)
            let lines = try articles.compactMap { a -> (articleID: UUID, quantity: Int)? in
                guard let text = fields["received_\(a.id)"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let quantity = Int(text) else { throw DomainError("producers.quantity-invalid", field: "quantity") }
                return (a.id, quantity)
            }
            _ = try await PurchaseRoundService(db: req.db).recordReceipt(round.id, lines: lines, by: req.actor)
        }
    }

    // MARK: -

    /// Runs a change to the round; back to the round's page, or the page again with the reason beside the form.
    func acting(_ req: Request, _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
            return req.redirect(to: "/rounds/\(try req.pathID("round"))")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderRound(req, errors: errors, status: .unprocessableEntity)
        }
    }

    func managedGroup(_ req: Request) async throws -> GroupRecord {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let id = try req.pathID("group")
        guard ProducerAccess.canManage(user.grants.map(\.grant), group: id) else { throw Abort(.forbidden) }
        return try await ProducerGroupService(db: req.db).group(id)
    }

    func managedRound(_ req: Request) async throws -> (RoundRecord, GroupRecord) {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let round = try await PurchaseRoundService(db: req.db).round(try req.pathID("round"))
        guard ProducerAccess.canManage(user.grants.map(\.grant), group: round.groupID) else { throw Abort(.forbidden) }
        return (round, try await ProducerGroupService(db: req.db).group(round.groupID))
    }
}
