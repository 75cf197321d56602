import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The registry of regulations and standards on the web: what applies to which products and what it
/// asks for; a coordinator adds a national standard or a new regulation.
struct RegistryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("regulations", use: list)
        routes.post("regulations", use: create)
    }

    struct RegulationForm: Content {
        var code: String?
        var kind: String?
        var title_ky: String?
        var title_ru: String?
        var title_en: String?
        var category: String?
        var evidence: String?
        var mandatory: String?
    }

    struct Row: Encodable {
        let code: String
        let kind: String
        let title: String
        let rules: [String]
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let values: [String: String]
        let kinds: [Choice]
        let categories: [Choice]
        let evidence: [Choice]
        let errors: FieldErrors
        let formOpen: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: RegulationForm(mandatory: "on"), errors: [:])
    }

    func renderList(_ req: Request, form: RegulationForm, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let lang = req.appLocale.rawValue
        let regulations = try await RegistryService(db: req.db).regulations()
        return try await req.render("certification/regulations", title: req.t("certification.regulations"), ListPage(
            rows: regulations.map { r in
                Row(code: r.code, kind: req.t("certification.regulation-kind.\(r.kind.rawValue)"), title: r.title(lang), rules: r.rules.map { Self.describe($0, req) })
            },
            values: ["code": form.code ?? "", "title_ky": form.title_ky ?? "", "title_ru": form.title_ru ?? "", "title_en": form.title_en ?? ""],
            kinds: RegulationKind.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.regulation-kind.\($0.rawValue)"), selected: $0.rawValue == form.kind) },
            categories: [Choice(value: "", label: req.t("certification.all-categories"), selected: form.category.nonBlank == nil)] + req.categoryChoices(selected: form.category),
            evidence: Evidence.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.evidence.\($0.rawValue)"), selected: $0.rawValue == form.evidence) },
            errors: errors, formOpen: !errors.isEmpty))
    }

    /// "Food (every kind) — declaration of conformity, mandatory".
    static func describe(_ rule: RuleFact, _ req: Request) -> String {
        var scope = rule.category.map { req.t("certification.category.\($0.rawValue)") }
            ?? req.t(rule.foodOnly ? "certification.all-food" : "certification.all-categories")
        if rule.organicOnly { scope += " · " + req.t("certification.sold-as-organic") }
        return scope + " — " + req.t("certification.evidence.\(rule.evidence.rawValue)") + ", "
            + req.t(rule.mandatory ? "certification.mandatory" : "certification.voluntary")
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let form = try req.content.decode(RegulationForm.self)
        return try await req.act({
            _ = try await RegistryService(db: req.db).add(RegulationDraft(
                code: form.code ?? "", kind: form.kind.flatMap(RegulationKind.init(rawValue:)) ?? .nationalStandard, titleKy: form.title_ky ?? "",
                titleRu: form.title_ru ?? "", titleEn: form.title_en ?? "", category: form.category.flatMap(ProductCategory.init(rawValue:)),
                evidence: form.evidence.flatMap(Evidence.init(rawValue:)) ?? .certificate, mandatory: form.mandatory != nil), by: req.actor)
            return "/regulations"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }
}
