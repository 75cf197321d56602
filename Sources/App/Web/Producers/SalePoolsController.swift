import AsharNetwork
import Fluent
import Foundation
import Kernel
import Producers
import Vapor

/// Pooled sales on the web: a group's pools, and for one pool the graded intakes (each with a printed
/// receipt), the buyer's payments, the costs, and each member's payout with how it was worked out.
struct SalePoolsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("producer-groups", ":group", "pools", use: list)
        routes.post("producer-groups", ":group", "pools", use: create)
        let pool = routes.grouped("pools", ":pool")
        pool.get(use: show)
        pool.post("intakes", use: addIntake)
        pool.get("intakes", ":intake", use: receipt)
        pool.post("money", use: addMoney)
        pool.post("distribution", use: distribute)
    }

    // MARK: A group's pools

    struct PoolForm: Content {
        var product: String?
        var buyer: String?
        /// "A:300; B:200": som per unit by grade.
        var grades: String?
        var levy: String?
        var rejects: String?
        var contract_quantity: String?
        var terms: String?
    }

    struct PoolItem: Encodable {
        let id: UUID
        let product: String
        let buyer: String
        let received: String
    }

    struct ListPage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let pools: [PoolItem]
        let rejectRules: [Choice]
        let form: PoolForm
        let errors: FieldErrors
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: PoolForm(levy: "0"), errors: [:])
    }

    func renderList(_ req: Request, form: PoolForm, errors: FieldErrors) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let service = SalePoolService(db: req.db)
        var items: [PoolItem] = []
        for pool in try await service.pools(of: scope.group.id) {
            items.append(PoolItem(id: pool.id, product: pool.product, buyer: pool.buyer, received: Som.format(try await service.payouts(pool.id).received)))
        }
        return try await req.render("producers/pools", title: req.t("pools.title"), ListPage(
            tabs: GroupTabs(req, scope, current: "/pools"), groupID: scope.group.id, pools: items,
            rejectRules: RejectRule.allCases.map { Choice(value: $0.rawValue, label: req.t("pools.rejects.\($0.rawValue)"), selected: $0.rawValue == (form.rejects ?? "member")) },
            form: form, errors: errors))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(PoolForm.self)
        return try await req.act({
            let grades = try Self.grades(form.grades ?? "")
            // Percent with up to two decimals, read like som: 2.5 → 250 hundredths.
            guard let levy = Som.tyiyn(form.levy.nonBlank ?? "0") else { throw DomainError("producers.levy-invalid", field: "levy") }
            let quantity = try form.contract_quantity.nonBlank.map { try req.whole($0, field: "contract_quantity") }
            let pool = try await SalePoolService(db: req.db).create(scope.group.id, PoolDraft(
                product: form.product ?? "", buyer: form.buyer ?? "", gradePrices: grades, levyBasisPoints: levy,
                rejects: form.rejects.flatMap(RejectRule.init(rawValue:)) ?? .member, contractQuantity: quantity, terms: form.terms ?? ""), by: req.actor)
            return "/pools/\(pool.id)"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }

    /// "A:300; B:200" → grade → tyiyn per unit.
    static func grades(_ text: String) throws -> [String: Int] {
        Dictionary(try PriceTiers.priced(text, invalid: DomainError("producers.grades-invalid", field: "grade_prices")).map { ($0.key, $0.price) },
                   uniquingKeysWith: { _, last in last })
    }

    // MARK: One pool

    struct IntakeRow: Encodable {
        let id: UUID
        let at: String
        let member: String
        let quantity: Int
        let grade: String
    }

    struct MoneyRow: Encodable {
        let at: String
        let label: String
        let amount: String
    }

    struct PayoutRow: Encodable {
        let member: String
        /// How her share was worked out, line by line.
        let workings: [String]
        let worth: String
        let share: String
        let due: String
        let paid: String
        let owing: String
    }

    struct PoolPage: Encodable {
        let tabs: GroupTabs
        let id: UUID
        let product: String
        let buyer: String
        let grades: String
        let levy: String
        let rejects: String
        let contract: String
        let terms: String
        let intakes: [IntakeRow]
        let payments: [MoneyRow]
        let costs: [MoneyRow]
        let payouts: [PayoutRow]
        let received: String
        let costsTotal: String
        let levyAmount: String
        let distributable: String
        let toPass: Bool
        let members: [Choice]
        let gradeChoices: [Choice]
        let passed: [String]
        let errors: FieldErrors
        let messages: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req, errors: [:])
    }

    func render(_ req: Request, errors: FieldErrors, passed: [String] = []) async throws -> Response {
        let (pool, scope) = try await managed(req)
        let service = SalePoolService(db: req.db)
        let intakes = try await service.intakes(pool.id)
        let money = try await service.money(pool.id)
        let payouts = try await service.payouts(pool.id)
        let totalWorth = payouts.members.reduce(0) { $0 + $1.worth }
        let unit = req.t("pools.unit")
        let rejectPrice = pool.rejects == .pool ? (pool.gradePrices.values.min() ?? 0) : 0
        let byMember = Dictionary(grouping: intakes, by: \.memberID)
        let gradeName = { (grade: String?) in grade ?? req.t("pools.rejected") }
        let page = PoolPage(
            tabs: GroupTabs(req, scope, current: "/pools"), id: pool.id, product: pool.product, buyer: pool.buyer,
            grades: pool.gradePrices.sorted { $0.key < $1.key }.map { "\($0.key): \(Som.format($0.value))" }.joined(separator: "; "),
            levy: Self.percent(pool.levyBasisPoints), rejects: req.t("pools.rejects.\(pool.rejects.rawValue)"),
            contract: pool.contractQuantity.map { req.t("pools.contract-of", ["quantity": String($0), "delivered": String(intakes.filter { $0.grade != nil }.reduce(0) { $0 + $1.quantity })]) } ?? "",
            terms: pool.terms,
            intakes: intakes.map { IntakeRow(id: $0.id, at: BishkekTime.format($0.at), member: scope.name($0.memberID), quantity: $0.quantity, grade: gradeName($0.grade)) },
            payments: money.filter(\.payment).map { MoneyRow(at: BishkekTime.format($0.at), label: $0.label, amount: Som.format($0.amount)) },
            costs: money.filter { !$0.payment }.map { MoneyRow(at: BishkekTime.format($0.at), label: $0.label, amount: Som.format($0.amount)) },
            payouts: payouts.members.map { m in
                // Her deliveries by grade, each at its contract price: the weight of her share.
                let lines = Dictionary(grouping: byMember[m.memberID] ?? [], by: \.grade).sorted { ($0.key ?? "~") < ($1.key ?? "~") }.map { grade, rows in
                    let quantity = rows.reduce(0) { $0 + $1.quantity }
                    let price = grade.map { pool.gradePrices[$0] ?? 0 } ?? rejectPrice
                    return "\(gradeName(grade)): \(quantity) \(unit) × \(Som.format(price)) = \(Som.format(quantity * price))"
                }
                return PayoutRow(member: scope.name(m.memberID), workings: lines, worth: Som.format(m.worth),
                                 share: totalWorth == 0 ? "—" : Self.percent(Int((Int64(m.worth) * 10_000 / Int64(totalWorth)))),
                                 due: Som.format(m.due), paid: Som.format(m.paid), owing: Som.format(m.due - m.paid))
            }.sorted { $0.member < $1.member },
            received: Som.format(payouts.received), costsTotal: Som.format(payouts.costsTotal), levyAmount: Som.format(payouts.levy),
            distributable: Som.format(payouts.distributable), toPass: payouts.members.contains { $0.due > $0.paid },
            members: scope.members(), gradeChoices: pool.gradePrices.keys.sorted().map { Choice(value: $0, label: $0, selected: false) }
                + [Choice(value: SalePoolService.rejected, label: req.t("pools.rejected"), selected: false)],
            passed: passed, errors: errors, messages: errors.sorted { $0.key < $1.key }.map(\.value))
        return try await req.render("producers/pool", title: req.t("pools.pool"), page)
    }

    static func percent(_ hundredths: Int) -> String {
        hundredths % 100 == 0 ? "\(hundredths / 100) %" : String(format: "%d.%02d %%", hundredths / 100, hundredths % 100)
    }

    struct IntakeForm: Content {
        var member_id: String?
        var quantity: String?
        var grade: String?
    }

    @Sendable func addIntake(req: Request) async throws -> Response {
        let (pool, _) = try await managed(req)
        let form = try req.content.decode(IntakeForm.self)
        return try await req.act({
            guard let member = req.uuid(form.member_id) else { throw DomainError.notFound("producers.member") }
            let intake = try await SalePoolService(db: req.db).intake(pool.id, member: member, quantity: try req.whole(form.quantity, field: "quantity"),
                                                                      grade: form.grade, by: req.actor)
            // Straight to the receipt, to print and hand over.
            return "/pools/\(pool.id)/intakes/\(intake.id)"
        }, page: { try await render(req, errors: $0) })
    }

    struct MoneyForm: Content {
        var kind: String?
        var label: String?
        var amount: String?
    }

    @Sendable func addMoney(req: Request) async throws -> Response {
        let (pool, _) = try await managed(req)
        let form = try req.content.decode(MoneyForm.self)
        return try await req.act({
            try await SalePoolService(db: req.db).record(pool.id, payment: form.kind == "payment", amount: try req.som(form.amount),
                                                          label: form.label ?? "", by: req.actor)
            return "/pools/\(pool.id)"
        }, page: { try await render(req, errors: $0) })
    }

    @Sendable func distribute(req: Request) async throws -> Response {
        let (pool, scope) = try await managed(req)
        let passed = try await SalePoolService(db: req.db).distribute(pool.id, by: req.actor)
        return try await render(req, errors: [:], passed: passed.map {
            req.t("pools.passed", ["member": scope.name($0.memberID), "payout": Som.format($0.payout), "repaid": Som.format($0.repaid),
                                   "cash": Som.format($0.cash)])
        })
    }

    struct ReceiptPage: Encodable {
        let groupName: String
        let poolID: UUID
        let product: String
        let buyer: String
        let member: String
        let at: String
        let quantity: Int
        let grade: String
        let price: String
        let number: String
    }

    @Sendable func receipt(req: Request) async throws -> Response {
        let (pool, scope) = try await managed(req)
        let intake = try await SalePoolService(db: req.db).intake(try req.pathID("intake"))
        guard intake.poolID == pool.id else { throw Abort(.notFound) }
        return try await req.render("producers/intake-receipt", title: req.t("pools.receipt"), ReceiptPage(
            groupName: scope.group.name, poolID: pool.id, product: pool.product, buyer: pool.buyer, member: scope.name(intake.memberID),
            at: BishkekTime.format(intake.at), quantity: intake.quantity, grade: intake.grade ?? req.t("pools.rejected"),
            price: intake.grade.flatMap { pool.gradePrices[$0] }.map(Som.format) ?? "—", number: String(intake.id.uuidString.prefix(8))))
    }

    func managed(_ req: Request) async throws -> (PoolRecord, GroupScope) {
        guard req.currentUser != nil else { throw Abort(.unauthorized) }
        let pool = try await SalePoolService(db: req.db).pool(try req.pathID("pool"))
        return (pool, try await GroupScope.load(req, group: pool.groupID))
    }
}
