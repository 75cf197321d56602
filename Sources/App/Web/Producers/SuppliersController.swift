import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// A group's suppliers and buyers on the web (firms of the registry, with their contacts), and a
/// supplier's price list: typed in article by article or pasted/uploaded as CSV.
struct SuppliersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("producer-groups", ":group", "suppliers")
        group.get(use: list)
        group.post(use: add)
        group.get(":supplier", use: show)
        group.post(":supplier", "articles", use: addArticle)
        group.post(":supplier", "price-list", use: importList)
        group.get(":supplier", "price-list-sample", use: sample)
    }

    struct PartyRow: Encodable {
        let organisationID: UUID
        let kind: String
        let isSupplier: Bool
        let name: String
        let contact: String
    }

    struct ListPage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let parties: [PartyRow]
        let firms: [Choice]
        let errors: FieldErrors
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, errors: [:])
    }

    func renderList(_ req: Request, errors: FieldErrors) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let parties = try await CounterpartyService(db: req.db).counterparties(scope.group.id)
        // Firms the group may deal with: businesses and financial institutions of the registry.
        let firms = try await OrganisationService(db: req.db).all().filter { [.business, .financial, .communityGroup, .ngo].contains($0.kind) }
        return try await req.render("producers/suppliers", title: req.t("suppliers.title"), ListPage(
            tabs: GroupTabs(req, scope, current: "/suppliers"), groupID: scope.group.id,
            parties: parties.map { p in
                PartyRow(organisationID: p.organisation.id, kind: req.t("suppliers.kind.\(p.kind.rawValue)"), isSupplier: p.kind == .supplier,
                         name: p.organisation.name,
                         contact: [p.organisation.contactPerson, p.organisation.phone, p.organisation.address].compactMap { $0.nonBlank }.joined(separator: " · "))
            },
            firms: firms.map { Choice(value: $0.id.uuidString, label: $0.name, selected: false) }.sorted { $0.label < $1.label }, errors: errors))
    }

    struct PartyForm: Content {
        var organisation_id: String?
        var kind: String?
    }

    @Sendable func add(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(PartyForm.self)
        return try await req.act({
            guard let org = req.uuid(form.organisation_id) else { throw DomainError("producers.supplier-unknown", field: "organisation_id") }
            _ = try await CounterpartyService(db: req.db).add(scope.group.id, organisation: org,
                                                              kind: form.kind.flatMap(CounterpartyKind.init(rawValue:)) ?? .supplier, by: req.actor)
            return "/producer-groups/\(scope.group.id)/suppliers"
        }, page: { try await renderList(req, errors: $0) })
    }

    // MARK: A supplier's price list

    struct ArticleRow: Encodable {
        let name: String
        let unit: String
        let packageSize: Int
        let tiers: String
        let valid: String
        let current: Bool
    }

    struct CataloguePage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let supplierID: UUID
        let name: String
        let contact: String
        let articles: [ArticleRow]
        let errors: FieldErrors
        let problems: [String]
        let imported: String?
        let text: String
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req, errors: [:])
    }

    func render(_ req: Request, errors: FieldErrors, problems: [String] = [], imported: String? = nil, text: String = "") async throws -> Response {
        let (scope, supplier) = try await managed(req)
        let today = BishkekCalendar.day(of: Date())
        let articles = try await CounterpartyService(db: req.db).catalogue(supplier.id)
        return try await req.render("producers/catalogue", title: req.t("suppliers.catalogue"), CataloguePage(
            tabs: GroupTabs(req, scope, current: "/suppliers"), groupID: scope.group.id, supplierID: supplier.id, name: supplier.name,
            contact: [supplier.contactPerson, supplier.phone, supplier.address].compactMap { $0.nonBlank }.joined(separator: " · "),
            articles: articles.map { a in
                ArticleRow(name: a.article.name, unit: a.article.unit, packageSize: a.article.packageSize,
                           tiers: GroupScope.prices(a.article.tiers, unit: a.article.unit),
                           valid: "\(a.validFrom ?? "…") – \(a.validTo ?? "…")",
                           current: (a.validFrom ?? "") <= today && today <= (a.validTo ?? "9999"))
            }, errors: errors, problems: problems, imported: imported, text: text))
    }

    struct ArticleForm: Content {
        var name: String?
        var unit: String?
        var package_size: String?
        var tiers: String?
        var valid_from: String?
        var valid_to: String?
    }

    @Sendable func addArticle(req: Request) async throws -> Response {
        let (scope, supplier) = try await managed(req)
        let form = try req.content.decode(ArticleForm.self)
        return try await req.act({
            _ = try await CounterpartyService(db: req.db).addArticle(supplier.id, ArticleDraft(
                name: form.name ?? "", unit: form.unit ?? "", packageSize: Int(form.package_size ?? "") ?? 0, tiers: try PriceTiers.parse(form.tiers ?? "")),
                validFrom: form.valid_from, validTo: form.valid_to, by: req.actor)
            return "/producer-groups/\(scope.group.id)/suppliers/\(supplier.id)"
        }, page: { try await render(req, errors: $0) })
    }

    struct Upload: Content {
        var file: File?
        var text: String?
    }

    @Sendable func importList(req: Request) async throws -> Response {
        let (_, supplier) = try await managed(req)
        let upload = try req.content.decode(Upload.self)
        var text = upload.text ?? ""
        if let file = upload.file, file.data.readableBytes > 0 {
            text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes) ?? ""
        }
        do {
            let count = try await CounterpartyService(db: req.db).importPriceList(supplier.id, rows: try PriceListFile.rows(text), by: req.actor)
            return try await render(req, errors: [:], imported: req.catalogue.plural("suppliers.imported", count: count))
        } catch let failed as ImportFailed {
            let response = try await render(req, errors: [:], problems: failed.problems.flatMap { p in
                p.errors.map { "\(req.t("import.line")) \(p.line): " + req.t($0.key, $0.arguments) }
            }, text: text)
            response.status = .unprocessableEntity
            return response
        } catch let error as DomainError {
            let response = try await render(req, errors: [:], problems: [req.t(error.key, error.arguments)], text: text)
            response.status = .unprocessableEntity
            return response
        }
    }

    @Sendable func sample(req: Request) async throws -> Response {
        _ = try await managed(req)
        return CSV.response([
            PriceListFile.columns.map(\.header),
            ["Картошка үрөнү", "кг", "50", "1:30; 500:24", "2026-01-01", "2026-12-31"],
            ["Кетмен", "даана", "1", "1:450; 20:400", "", ""],
        ], filename: "price-list-sample.csv")
    }

    /// The group in the path and one of its suppliers.
    func managed(_ req: Request) async throws -> (GroupScope, OrganisationRecord) {
        let scope = try await GroupScope.load(req)
        let supplier = try req.pathID("supplier")
        guard try await Counterparty.query(on: req.db).filter(\.$groupID == scope.group.id).filter(\.$organisationID == supplier)
            .filter(\.$kind == .supplier).first() != nil else { throw DomainError.notFound("producers.supplier") }
        return (scope, try await OrganisationService(db: req.db).get(supplier))
    }
}
