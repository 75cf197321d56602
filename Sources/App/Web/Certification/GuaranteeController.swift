import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The participatory guarantee system (organic) on the web: for each producer group, the peer visits
/// with their checklist, the local council's decisions and sanctions, and the group's certificates.
struct GuaranteeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("guarantee", use: groups)
        routes.get("guarantee", ":group", use: show)
        routes.post("guarantee", ":group", "visits", use: recordVisit)
        routes.post("guarantee", ":group", "visits", ":visit", "decision", use: decide)
    }

    struct GroupsPage: Encodable {
        let groups: [DocumentsController.Link]
    }

    @Sendable func groups(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let groups = try await req.producerGroupChoices(selected: nil)
        return try await req.render("certification/guarantee-groups", title: req.t("certification.guarantee"), GroupsPage(
            groups: groups.map { DocumentsController.Link(href: "/guarantee/\($0.value)", label: $0.label) }))
    }

    struct VisitRow: Encodable {
        let id: UUID
        let visitedOn: String
        let farm: String
        let visitors: String
        let passed: String
        let failed: [String]
        let findings: String
        let decision: String
        let pending: Bool
        let sanction: String
        let sanctionNote: String
    }

    struct ShowPage: Encodable {
        let groupID: UUID
        let group: String
        let visits: [VisitRow]
        let certificates: [DocumentsController.Row]
        let checklist: [Choice]
        let decisions: [Choice]
        let sanctions: [Choice]
        let values: [String: String]
        let errors: FieldErrors
        let today: String
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, group: try req.pathID("group"), form: VisitForm(), errors: [:])
    }

    func renderShow(_ req: Request, group groupID: UUID, form: VisitForm, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let group = try await req.network.organisations.get(groupID)
        guard group.kind == .producerGroup else { throw Abort(.notFound) }
        let visits = try await PathService(db: req.db).visits(of: groupID)
        let products = try await ProductService(db: req.db).products(organisation: groupID, page: PageQuery(page: 1, per: 500)).items.map(\.id)
        let certificates = try await DocumentService(db: req.db).documents(covering: products, type: .pgsCertificate, page: PageQuery(page: 1, per: 100)).items
        let total = ChecklistItem.allCases.count
        return try await req.render("certification/guarantee", title: req.t("certification.guarantee"), ShowPage(
            groupID: groupID, group: group.name,
            visits: visits.map { v in
                VisitRow(id: v.id, visitedOn: v.draft.visitedOn, farm: v.draft.farm, visitors: v.draft.visitors,
                         passed: "\(v.draft.passed.count) / \(total)", failed: v.failed.map { req.t("certification.check.\($0.rawValue)") },
                         findings: v.draft.findings, decision: req.t("certification.decision.\(v.decision.rawValue)"), pending: v.decision == .pending,
                         sanction: v.sanction == .none ? "" : req.t("certification.sanction.\(v.sanction.rawValue)"), sanctionNote: v.sanctionNote)
            },
            certificates: try await DocumentsController.rows(req, certificates),
            checklist: ChecklistItem.allCases.map {
                Choice(value: $0.rawValue, label: req.t("certification.check.\($0.rawValue)"), selected: form.passed?.contains($0.rawValue) ?? false)
            },
            decisions: CouncilDecision.allCases.filter { $0 != .pending }.map { Choice(value: $0.rawValue, label: req.t("certification.decision.\($0.rawValue)"), selected: false) },
            sanctions: Sanction.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.sanction.\($0.rawValue)"), selected: $0 == .none) },
            values: ["visited_on": form.visited_on ?? "", "farm": form.farm ?? "", "visitors": form.visitors ?? "", "findings": form.findings ?? ""],
            errors: errors, today: BishkekCalendar.day(of: Date())))
    }

    struct VisitForm: Content {
        var visited_on: String?
        var farm: String?
        var visitors: String?
        var passed: [String]?
        var findings: String?
    }

    @Sendable func recordVisit(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let group = try req.pathID("group")
        let form = try req.content.decode(VisitForm.self)
        return try await req.act({
            _ = try await PathService(db: req.db).recordVisit(group, VisitDraft(
                visitedOn: form.visited_on ?? "", farm: form.farm ?? "", visitors: form.visitors ?? "",
                passed: (form.passed ?? []).compactMap(ChecklistItem.init(rawValue:)), findings: form.findings ?? ""), by: req.actor)
            return "/guarantee/\(group)"
        }, page: { try await renderShow(req, group: group, form: form, errors: $0) })
    }

    struct DecisionForm: Content {
        var decision: String?
        var decided_on: String?
        var sanction: String?
        var note: String?
    }

    @Sendable func decide(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let group = try req.pathID("group")
        let visit = try req.pathID("visit")
        let form = try req.content.decode(DecisionForm.self)
        return try await req.act({
            guard try await PathService(db: req.db).visits(of: group).contains(where: { $0.id == visit }) else { throw DomainError.notFound("certification.visit") }
            _ = try await PathService(db: req.db).decide(
                visit, decision: form.decision.flatMap(CouncilDecision.init(rawValue:)) ?? .pending,
                on: form.decided_on.nonBlank ?? BishkekCalendar.day(of: Date()), sanction: form.sanction.flatMap(Sanction.init(rawValue:)) ?? Sanction.none,
                note: form.note ?? "", by: req.actor)
            return "/guarantee/\(group)"
        }, page: { try await renderShow(req, group: group, form: VisitForm(), errors: $0) })
    }
}
