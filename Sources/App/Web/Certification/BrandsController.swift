import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Brands of producer groups on the web: the list, a new brand, and one brand with its logo and the
/// products sold under it.
struct BrandsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("brands", use: list)
        routes.post("brands", use: create)
        routes.get("brands", ":id", use: show)
        routes.on(.POST, "brands", ":id", "logo", body: .collect(maxSize: "1mb"), use: uploadLogo)
        routes.get("brands", ":id", "logo", use: logo)
    }

    struct BrandForm: Content {
        var organisation_id: String?
        var name: String?
        var primary_colour: String?
        var secondary_colour: String?
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let group: String
        let primary: String
        let secondary: String
        let hasLogo: Bool
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let groups: [Choice]
        let values: [String: String]
        let errors: FieldErrors
        let formOpen: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: BrandForm(primary_colour: "#0b6e4f", secondary_colour: "#f4c430"), errors: [:])
    }

    func renderList(_ req: Request, form: BrandForm, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let brands = try await BrandService(db: req.db).brands()
        let groups = try await req.network.organisations.lookup(brands.map(\.organisationID))
        return try await req.render("certification/brands", title: req.t("certification.brands"), ListPage(
            rows: brands.map { Row(id: $0.id, name: $0.name, group: groups[$0.organisationID]?.name ?? "", primary: $0.primaryColour,
                                   secondary: $0.secondaryColour, hasLogo: $0.logo != nil) },
            groups: try await req.producerGroupChoices(selected: req.uuid(form.organisation_id)),
            values: ["name": form.name ?? "", "primary_colour": form.primary_colour ?? "", "secondary_colour": form.secondary_colour ?? ""],
            errors: errors, formOpen: !errors.isEmpty))
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let form = try req.content.decode(BrandForm.self)
        return try await req.act({
            guard let group = req.uuid(form.organisation_id) else { throw DomainError("certification.product.group-invalid", field: "organisation_id") }
            let brand = try await BrandService(db: req.db).create(group, name: form.name ?? "", primaryColour: form.primary_colour ?? "",
                                                                  secondaryColour: form.secondary_colour ?? "", by: req.actor)
            return "/brands/\(brand.id)"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }

    struct ShowPage: Encodable {
        let brand: Row
        let productLinks: [DocumentsController.Link]
        let errors: FieldErrors
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let brand = try await BrandService(db: req.db).brand(id)
        let group = try await req.network.organisations.get(brand.organisationID)
        let products = try await ProductService(db: req.db).products(brand: id, page: PageQuery(page: 1, per: 200)).items
        return try await req.render("certification/brand", title: brand.name, ShowPage(
            brand: Row(id: id, name: brand.name, group: group.name, primary: brand.primaryColour, secondary: brand.secondaryColour, hasLogo: brand.logo != nil),
            productLinks: products.map { DocumentsController.Link(href: "/products/\($0.id)", label: req.productName($0)) }, errors: errors))
    }

    struct LogoUpload: Content {
        var logo: File?
    }

    @Sendable func uploadLogo(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let upload = try req.content.decode(LogoUpload.self)
        return try await req.act({
            guard let file = upload.logo, file.data.readableBytes > 0 else { throw DomainError("certification.upload.not-logo", field: "logo") }
            try await BrandService(db: req.db).setLogo(id, data: Data(file.data.readableBytesView), store: req.application.certificationFiles.logos, by: req.actor)
            return "/brands/\(id)"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    /// The logo, for the brand page and the labels. Public: a brand is what the group shows the world.
    @Sendable func logo(req: Request) async throws -> Response {
        let logo = try await BrandService(db: req.db).logo(try req.pathID(), store: req.application.certificationFiles.logos)
        let response = ProductsController.file(logo.data, type: logo.kind == .png ? .png : .svg)
        // Opened on its own, an SVG is a document: it may draw, never run or fetch anything.
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        return response
    }
}
