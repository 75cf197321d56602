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
        routes.post("producer-groups", ":group", "members", use: join)
        let round = routes.grouped("rounds", ":round")
        round.get(use: show)
        round.get("sheets", use: sheets)
        round.get("distribution", use: distribution)
        round.post("articles", use: addArticle)
        round.post("catalogue", use: addFromCatalogue)
        round.post("open", use: publish)
        round.post("ordered", use: markOrdered)
        round.post("settle", use: settle)
        round.post("payments", use: payment)
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

    struct IndexPage: Encodable {
        let groups: [GroupItem]
        let pager: Pager
    }

    /// The groups by name, fifty to a page: a national network has thousands.
    @Sendable func index(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let found = try await ProducerGroupService(db: req.db).groups(page: PageQuery(page: req.query["page"], per: 50))
        let grants = user.grants.map(\.grant)
        return try await req.render("producers/index", title: req.t("producers.title"), IndexPage(groups: found.items.map {
            GroupItem(id: $0.id, name: $0.name, members: $0.memberCount, canManage: ProducerAccess.canManage(grants, group: $0.id))
        }, pager: found.pager))
    }

    struct MemberItem: Encodable {
        let id: UUID
        let name: String
        let role: String
        let produces: String
        let joined: String
        let balance: String
    }

    struct Candidate: Encodable {
        let id: UUID
        let name: String
        let born: String
    }

    struct RoundItem: Encodable {
        let id: UUID
        let status: String
        let deadline: String
    }

    struct RoundForm: Content {
        var deadline: String?
        var allocation: String?
        /// "on": prepare the round before members may order.
        var draft: String?
    }

    struct GroupPage: Encodable {
        let tabs: GroupTabs
        let id: UUID
        let name: String
        let members: [MemberItem]
        let q: String
        let candidates: [Candidate]
        let roles: [Choice]
        let rounds: [RoundItem]
        let allocations: [Choice]
        let form: RoundForm
        let errors: FieldErrors
    }

    @Sendable func group(req: Request) async throws -> Response {
        try await renderGroup(req, form: RoundForm(deadline: BishkekCalendar.day(of: Date().addingTimeInterval(7 * 86_400))), errors: [:])
    }

    func renderGroup(_ req: Request, form: RoundForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let group = scope.group
        let members = try await ProducerGroupService(db: req.db).members(group.id, page: PageQuery(page: 1, per: 1_000)).items
        let balances = try await MemberAccountService(db: req.db).balances(group.id)
        let rounds = try await PurchaseRoundService(db: req.db).rounds(of: group.id)
        // Looking for a woman of the registry to add: by name, a short list.
        let q = (try? req.query.get(String.self, at: "q"))?.trimmingCharacters(in: .whitespaces) ?? ""
        let joined = Set(members.map(\.personID))
        let candidates = q.count < 2 ? [] : try await PeopleService(db: req.db).search(q: q, page: PageQuery(page: 1, per: 20)).items
            .filter { !joined.contains($0.id) }
        let page = GroupPage(
            tabs: GroupTabs(req, scope, current: ""), id: group.id, name: group.name,
            members: members.map { MemberItem(id: $0.id, name: scope.name($0.id), role: req.t("producers.role.\($0.role.rawValue)"),
                                              produces: $0.produces, joined: $0.joinedOn, balance: Som.format(balances[$0.id] ?? 0)) }
                .sorted { $0.name < $1.name },
            q: q, candidates: candidates.map { Candidate(id: $0.id, name: $0.fullName, born: String($0.birthYear)) },
            roles: ProducerRole.allCases.map { Choice(value: $0.rawValue, label: req.t("producers.role.\($0.rawValue)"), selected: $0 == .member) },
            rounds: rounds.map { RoundItem(id: $0.id, status: req.t("round.status.\($0.status.rawValue)"), deadline: BishkekTime.format($0.deadline)) },
            allocations: AllocationRule.allCases.map { Choice(value: $0.rawValue, label: req.t("round.allocation.\($0.rawValue)"),
                                                              selected: $0.rawValue == (form.allocation ?? AllocationRule.firstCome.rawValue)) },
            form: form, errors: errors)
        return try await req.render("producers/group", title: req.t("producers.group"), page, status: status)
    }

    struct JoinForm: Content {
        var person_id: String?
        var role: String?
        var produces: String?
    }

    @Sendable func join(req: Request) async throws -> Response {
        let group = try await managedGroup(req)
        let form = try req.content.decode(JoinForm.self)
        return try await req.act({
            guard let person = req.uuid(form.person_id) else { throw DomainError.notFound("network.person") }
            _ = try await ProducerGroupService(db: req.db).join(group.id, personID: person, role: form.role.flatMap(ProducerRole.init(rawValue:)) ?? .member,
                                                                produces: form.produces ?? "", by: req.actor)
            return "/producer-groups/\(group.id)"
        }, page: { try await renderGroup(req, form: RoundForm(), errors: $0) })
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
                allocation: form.allocation.flatMap(AllocationRule.init(rawValue:)) ?? .firstCome, draft: form.draft == "on", by: req.actor)
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
        let memberID: UUID
        let member: String
        let lines: [String]
        let goods: String
        let costs: String
        let total: String
        let saving: String
        let paid: String
        let owing: String
    }

    struct CostRow: Encodable {
        let label: String
        let amount: String
        let split: String
    }

    struct RoundPage: Encodable {
        let tabs: GroupTabs
        let id: UUID
        let groupID: UUID
        let groupName: String
        let status: String
        let deadline: String
        let allocation: String
        let isOpen: Bool
        let isDraft: Bool
        /// Articles may still be added: a draft or an open round.
        let canEdit: Bool
        let isClosed: Bool
        let canOrder: Bool
        let isSettled: Bool
        let catalogue: [Choice]
        let articles: [ArticleItem]
        let orders: [OrderRow]
        let members: [Choice]
        let costs: [CostRow]
        let splits: [Choice]
        let bills: [BillRow]
        let supplierTotal: String
        let costsTotal: String
        let grandTotal: String
        let savingTotal: String
        let errors: FieldErrors
        /// The same reasons as a list, above the page: a round's forms share one page.
        let messages: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderRound(req, errors: [:])
    }

    func renderRound(_ req: Request, errors: FieldErrors) async throws -> Response {
        let (round, scope) = try await managedRound(req)
        let group = scope.group
        let rounds = PurchaseRoundService(db: req.db)
        let articles = try await rounds.articles(round.id)
        let fill = try await rounds.fill(round.id)
        let orders = try await rounds.orders(round.id)
        let name = scope.names
        let settlement = try await rounds.settlement(round.id)
        let paid = try await rounds.payments(round.id)
        let articleNames = Dictionary(uniqueKeysWithValues: articles.map { ($0.id, $0) })
        let page = RoundPage(
            tabs: GroupTabs(req, scope, current: ""),
            id: round.id, groupID: group.id, groupName: group.name, status: req.t("round.status.\(round.status.rawValue)"),
            deadline: BishkekTime.format(round.deadline), allocation: req.t("round.allocation.\(round.allocation.rawValue)"),
            isOpen: round.status == .open, isDraft: round.status == .draft, canEdit: [.draft, .open].contains(round.status),
            isClosed: ![.draft, .open, .settled].contains(round.status),
            canOrder: round.status == .closed, isSettled: round.status == .settled,
            catalogue: [.draft, .open].contains(round.status) ? try await Self.catalogueChoices(req, group: group.id) : [],
            articles: articles.map { a in
                let f = fill[a.id]
                return ArticleItem(
                    id: a.id, name: a.name, unit: a.unit, packageSize: a.packageSize,
                    tiers: GroupScope.prices(a.tiers, unit: a.unit),
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
            members: scope.members(),
            costs: try await rounds.costs(round.id).map { CostRow(label: $0.label, amount: Som.format($0.amount), split: req.t("round.split.\($0.splitBy.rawValue)")) },
            splits: CostBasis.allCases.map { Choice(value: $0.rawValue, label: req.t("round.split.\($0.rawValue)"), selected: false) },
            bills: settlement.members.map { m in
                BillRow(memberID: m.memberID, member: name[m.memberID] ?? "",
                        lines: m.lines.map { l in
                            let a = articleNames[l.articleID]
                            return "\(a?.name ?? ""): \(l.allocated) \(a?.unit ?? "") = \(Som.format(l.amount))"
                        },
                        goods: Som.format(m.total - m.costs), costs: Som.format(m.costs), total: Som.format(m.total), saving: Som.format(m.saving),
                        paid: Som.format(paid[m.memberID] ?? 0), owing: Som.format(m.total - (paid[m.memberID] ?? 0)))
            }.sorted { $0.member < $1.member },
            supplierTotal: Som.format(settlement.supplierTotal), costsTotal: Som.format(settlement.costsTotal),
            grandTotal: Som.format(settlement.supplierTotal + settlement.costsTotal),
            savingTotal: Som.format(settlement.members.reduce(0) { $0 + $1.saving }), errors: errors,
            messages: errors.sorted { $0.key < $1.key }.map(\.value))
        return try await req.render("producers/round", title: req.t("round.title"), page)
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

    /// Articles of the group's suppliers' price lists valid today, to add to a round in one step.
    static func catalogueChoices(_ req: Request, group: UUID) async throws -> [Choice] {
        let today = BishkekCalendar.day(of: Date())
        var choices: [Choice] = []
        for supplier in try await CounterpartyService(db: req.db).counterparties(group) where supplier.kind == .supplier {
            for item in try await CounterpartyService(db: req.db).catalogue(supplier.organisation.id, on: today) {
                choices.append(Choice(value: item.id.uuidString, label: "\(supplier.organisation.name): \(item.article.name) (\(item.article.packageSize) \(item.article.unit))",
                                      selected: false))
            }
        }
        return choices
    }

    @Sendable func addFromCatalogue(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let id = req.uuid(try? req.content.get(String.self, at: "catalogue_id"))
        return try await acting(req) {
            guard let id else { throw DomainError.notFound("producers.catalogue-article") }
            let item = try await CounterpartyService(db: req.db).catalogueArticle(id)
            // Only from the price list of one of this group's suppliers.
            guard try await Counterparty.query(on: req.db).filter(\.$groupID == round.groupID).filter(\.$organisationID == item.supplierID).first() != nil else {
                throw DomainError.notFound("producers.catalogue-article")
            }
            _ = try await PurchaseRoundService(db: req.db).addArticle(round.id, item.article, by: req.actor)
        }
    }

    @Sendable func publish(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        return try await acting(req) { _ = try await PurchaseRoundService(db: req.db).publish(round.id, by: req.actor) }
    }

    @Sendable func markOrdered(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        return try await acting(req) { _ = try await PurchaseRoundService(db: req.db).markOrdered(round.id, by: req.actor) }
    }

    @Sendable func settle(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        return try await acting(req) { _ = try await PurchaseRoundService(db: req.db).settle(round.id, by: req.actor) }
    }

    struct PaymentForm: Content {
        var member_id: String?
        var amount: String?
    }

    @Sendable func payment(req: Request) async throws -> Response {
        let (round, _) = try await managedRound(req)
        let form = try req.content.decode(PaymentForm.self)
        return try await acting(req) {
            guard let member = req.uuid(form.member_id) else { throw DomainError.notFound("producers.member") }
            try await PurchaseRoundService(db: req.db).recordPayment(round.id, member: member, amount: try req.som(form.amount), by: req.actor)
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
            try await PurchaseRoundService(db: req.db).addCost(round.id, label: form.label ?? "", amount: try req.som(form.amount),
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

    /// Runs a change to the round; back to the round's page, or the page again with the reason.
    func acting(_ req: Request, _ change: () async throws -> Void) async throws -> Response {
        let round = try req.pathID("round")
        return try await req.act({ try await change(); return "/rounds/\(round)" }, page: { try await renderRound(req, errors: $0) })
    }

    func managedGroup(_ req: Request) async throws -> GroupRecord {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let id = try req.pathID("group")
        guard ProducerAccess.canManage(user.grants.map(\.grant), group: id) else { throw Abort(.forbidden) }
        return try await ProducerGroupService(db: req.db).group(id)
    }

    func managedRound(_ req: Request) async throws -> (RoundRecord, GroupScope) {
        guard req.currentUser != nil else { throw Abort(.unauthorized) }
        let round = try await PurchaseRoundService(db: req.db).round(try req.pathID("round"))
        return (round, try await GroupScope.load(req, group: round.groupID))
    }
}

/// The round on paper: an order sheet per member, and the distribution list by member and by article.
extension ProducersController {
    struct SheetLine: Encodable {
        let article: String
        let prices: String
        let ordered: String
        let tolerance: String
        let allocated: String
        let amount: String
    }

    struct Sheet: Encodable {
        let member: String
        let lines: [SheetLine]
        let total: String
    }

    struct SheetsPage: Encodable {
        let roundID: UUID
        let groupName: String
        let deadline: String
        let status: String
        let sheets: [Sheet]
    }

    /// One sheet a member: what is on offer, what she ordered, and once closed what she gets and owes.
    @Sendable func sheets(req: Request) async throws -> Response {
        let (round, scope) = try await managedRound(req)
        let service = PurchaseRoundService(db: req.db)
        let articles = try await service.articles(round.id)
        let orders = try await service.orders(round.id)
        let bills = Dictionary(uniqueKeysWithValues: try await service.settlement(round.id).members.map { ($0.memberID, $0) })
        let closed = ![.draft, .open].contains(round.status)
        let sheets = scope.members().map { m -> Sheet in
            let id = UUID(uuidString: m.value)!
            let ordered = Dictionary((orders[id] ?? []).map { ($0.articleID, $0) }, uniquingKeysWith: { a, _ in a })
            let billed = Dictionary((bills[id]?.lines ?? []).map { ($0.articleID, $0) }, uniquingKeysWith: { a, _ in a })
            return Sheet(member: m.label, lines: articles.map { a in
                SheetLine(article: "\(a.name), \(a.unit)", prices: GroupScope.prices(a.tiers, unit: a.unit),
                          ordered: ordered[a.id].map { String($0.quantity) } ?? "", tolerance: ordered[a.id].map { $0.tolerance > 0 ? String($0.tolerance) : "" } ?? "",
                          allocated: closed ? billed[a.id].map { String($0.allocated) } ?? "0" : "",
                          amount: closed ? billed[a.id].map { Som.format($0.amount) } ?? "" : "")
            }, total: closed ? bills[id].map { Som.format($0.total) } ?? "0" : "")
        }
        return try await req.render("producers/sheets", title: req.t("round.sheets"), SheetsPage(
            roundID: round.id, groupName: scope.group.name, deadline: BishkekTime.format(round.deadline),
            status: req.t("round.status.\(round.status.rawValue)"), sheets: sheets))
    }

    struct Handout: Encodable {
        let heading: String
        let lines: [String]
        let total: String
    }

    struct DistributionPage: Encodable {
        let roundID: UUID
        let groupName: String
        let byMember: [Handout]
        let byArticle: [Handout]
    }

    /// Who takes home what (to sign on handing over), and how each article's delivery is split up.
    @Sendable func distribution(req: Request) async throws -> Response {
        let (round, scope) = try await managedRound(req)
        let service = PurchaseRoundService(db: req.db)
        let articles = try await service.articles(round.id)
        let settlement = try await service.settlement(round.id)
        let bills = settlement.members.sorted { scope.name($0.memberID) < scope.name($1.memberID) }
        let byID = Dictionary(uniqueKeysWithValues: articles.map { ($0.id, $0) })
        return try await req.render("producers/distribution", title: req.t("round.distribution"), DistributionPage(
            roundID: round.id, groupName: scope.group.name,
            byMember: bills.map { bill in
                Handout(heading: scope.name(bill.memberID), lines: bill.lines.filter { $0.allocated > 0 }.map {
                    "\(byID[$0.articleID]?.name ?? ""): \($0.allocated) \(byID[$0.articleID]?.unit ?? "")"
                }, total: Som.format(bill.total))
            },
            byArticle: articles.map { a in
                let lines = bills.compactMap { bill in bill.lines.first { $0.articleID == a.id && $0.allocated > 0 }.map { (bill.memberID, $0.allocated) } }
                return Handout(heading: "\(a.name), \(a.unit)", lines: lines.map { "\(scope.name($0.0)): \($0.1)" },
                               total: String(lines.reduce(0) { $0 + $1.1 }))
            }))
    }
}
