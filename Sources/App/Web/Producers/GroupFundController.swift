import AsharNetwork
import Fluent
import Foundation
import Kernel
import Producers
import Vapor

/// The group fund on the web (dues, claims with the members' votes, payouts within the balance) and
/// each member's money account with the group.
struct GroupFundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("producer-groups", ":group")
        group.get("fund", use: fund)
        group.post("fund", "dues", use: dues)
        group.post("fund", "claims", use: claim)
        group.post("fund", "rule", use: rule)
        group.post("fund", "claims", ":claim", "votes", use: vote)
        group.post("fund", "claims", ":claim", "payout", use: pay)
        group.get("members", ":member", use: account)
        group.post("members", ":member", "payments", use: payment)
    }

    struct LineRow: Encodable {
        let at: String
        let what: String
        let member: String
        let amount: String
        let negative: Bool
    }

    struct VoteRow: Encodable {
        let member: String
        let memberID: UUID
        let vote: String
    }

    struct ClaimRow: Encodable {
        let id: UUID
        let at: String
        let member: String
        let reason: String
        let amount: String
        let status: String
        let count: String
        let open: Bool
        let approved: Bool
        let votes: [VoteRow]
    }

    struct FundPage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let balance: String
        let maintenance: String
        let rules: [Choice]
        let lines: [LineRow]
        let claims: [ClaimRow]
        let members: [Choice]
        let errors: FieldErrors
        let messages: [String]
    }

    @Sendable func fund(req: Request) async throws -> Response {
        try await render(req, errors: [:])
    }

    func render(_ req: Request, errors: FieldErrors) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let service = GroupFundService(db: req.db)
        let fund = try await service.fund(scope.group.id)
        let claims = try await service.claims(scope.group.id)
        let votes = Dictionary(grouping: try await FundVote.query(on: req.db).filter(\.$claimID ~~ claims.map(\.id)).all(), by: \.claimID)
        let page = FundPage(
            tabs: GroupTabs(req, scope, current: "/fund"), groupID: scope.group.id,
            balance: Som.format(fund.balances[.risk] ?? 0), maintenance: Som.format(fund.balances[.maintenance] ?? 0),
            rules: FundRule.allCases.map { Choice(value: $0.rawValue, label: req.t("fund.rule.\($0.rawValue)"), selected: $0 == fund.rule) },
            lines: fund.lines.reversed().map {
                LineRow(at: BishkekTime.format($0.at), what: req.t("fund.kind.\($0.kind.rawValue)") + ($0.note.isEmpty ? "" : " · \($0.note)"),
                        member: scope.name($0.memberID), amount: Som.format($0.amount), negative: $0.amount < 0)
            },
            claims: claims.map { c in
                let cast = Dictionary((votes[c.id] ?? []).map { ($0.memberID, $0.approve) }, uniquingKeysWith: { a, _ in a })
                return ClaimRow(
                    id: c.id, at: BishkekTime.format(c.at), member: scope.name(c.memberID), reason: c.reason, amount: Som.format(c.amount),
                    status: req.t("fund.claim.\(c.status.rawValue)"),
                    count: req.t("fund.votes-count", ["approvals": String(c.approvals), "refusals": String(c.refusals), "needed": String(c.needed)]),
                    open: c.status == .open, approved: c.status == .approved,
                    votes: scope.members().map { m in
                        let id = UUID(uuidString: m.value)!
                        return VoteRow(member: m.label, memberID: id, vote: cast[id].map { req.t($0 ? "fund.vote.yes" : "fund.vote.no") } ?? "—")
                    })
            },
            members: scope.members(), errors: errors, messages: errors.sorted { $0.key < $1.key }.map(\.value))
        return try await req.render("producers/fund", title: req.t("fund.title"), page)
    }

    struct MoneyForm: Content {
        var member_id: String?
        var amount: String?
        var reason: String?
        var note: String?
    }

    @Sendable func dues(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(MoneyForm.self)
        return try await req.act({
            try await GroupFundService(db: req.db).payDues(try Self.member(req, form.member_id, of: scope), amount: try req.som(form.amount), by: req.actor)
            return "/producer-groups/\(scope.group.id)/fund"
        }, page: { try await render(req, errors: $0) })
    }

    @Sendable func claim(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(MoneyForm.self)
        return try await req.act({
            _ = try await GroupFundService(db: req.db).claim(try Self.member(req, form.member_id, of: scope), reason: form.reason ?? "",
                                                             amount: try req.som(form.amount), by: req.actor)
            return "/producer-groups/\(scope.group.id)/fund"
        }, page: { try await render(req, errors: $0) })
    }

    struct RuleForm: Content { var rule: String? }

    @Sendable func rule(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        guard let rule = try req.content.decode(RuleForm.self).rule.flatMap(FundRule.init(rawValue:)) else { throw Abort(.badRequest) }
        try await GroupFundService(db: req.db).setRule(scope.group.id, rule, by: req.actor)
        return req.redirect(to: "/producer-groups/\(scope.group.id)/fund")
    }

    struct VoteForm: Content {
        var member_id: String?
        var approve: String?
    }

    @Sendable func vote(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(VoteForm.self)
        return try await req.act({
            _ = try await GroupFundService(db: req.db).vote(try Self.claim(req, of: scope), member: try Self.member(req, form.member_id, of: scope),
                                                            approve: form.approve == "yes", by: req.actor)
            return "/producer-groups/\(scope.group.id)/fund"
        }, page: { try await render(req, errors: $0) })
    }

    @Sendable func pay(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        return try await req.act({
            _ = try await GroupFundService(db: req.db).pay(try Self.claim(req, of: scope), by: req.actor)
            return "/producer-groups/\(scope.group.id)/fund"
        }, page: { try await render(req, errors: $0) })
    }

    static func member(_ req: Request, _ text: String?, of scope: GroupScope) throws -> UUID {
        guard let id = req.uuid(text), scope.names[id] != nil else { throw DomainError.notFound("producers.member") }
        return id
    }

    static func claim(_ req: Request, of scope: GroupScope) async throws -> UUID {
        let claim = try await GroupFundService(db: req.db).claim(try req.pathID("claim"))
        guard claim.groupID == scope.group.id else { throw Abort(.notFound) }
        return claim.id
    }

    // MARK: A member's account

    struct AccountPage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let memberID: UUID
        let member: String
        let balance: String
        let owes: Bool
        let lines: [LineRow]
        let errors: FieldErrors
    }

    @Sendable func account(req: Request) async throws -> Response {
        try await renderAccount(req, errors: [:])
    }

    func renderAccount(_ req: Request, errors: FieldErrors) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let member = try Self.member(req, req.parameters.get("member"), of: scope)
        let account = try await MemberAccountService(db: req.db).account(member)
        return try await req.render("producers/account", title: req.t("account.title"), AccountPage(
            tabs: GroupTabs(req, scope, current: ""), groupID: scope.group.id, memberID: member, member: scope.name(member),
            balance: Som.format(account.balance), owes: account.balance < 0,
            lines: account.lines.map {
                LineRow(at: BishkekTime.format($0.at), what: req.t("account.kind.\($0.kind.rawValue)") + ($0.note.isEmpty ? "" : " · \($0.note)"),
                        member: "", amount: Som.format($0.amount), negative: $0.amount < 0)
            }, errors: errors))
    }

    @Sendable func payment(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let member = try Self.member(req, req.parameters.get("member"), of: scope)
        let form = try req.content.decode(MoneyForm.self)
        return try await req.act({
            _ = try await MemberAccountService(db: req.db).recordPayment(member, amount: try req.som(form.amount), note: form.note ?? "", by: req.actor)
            return "/producer-groups/\(scope.group.id)/members/\(member)"
        }, page: { try await renderAccount(req, errors: $0) })
    }
}
