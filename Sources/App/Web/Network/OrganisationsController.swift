import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The network's organisations and the partners around it.
struct OrganisationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let orgs = routes.grouped("organisations")
        orgs.get(use: index)
        orgs.get("new", use: newForm)
        orgs.post(use: create)
        orgs.get(":id", use: show)
        orgs.get(":id", "edit", use: editForm)
        orgs.post(":id", use: update)
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let kind: String
        let district: String
        let village: String?
        let phone: String?
        let inNetwork: Bool
    }

    struct IndexPage: Encodable {
        let rows: [Row]
        let q: String
        let kinds: [Choice]
        let districts: [Choice]
        let network: [Choice]
        let pager: Pager
        let canManage: Bool
        let filterQuery: String
    }

    @Sendable func index(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        let kind = (try? req.query.get(String.self, at: "kind")).flatMap(OrganisationKind.init(rawValue:))
        let districtID = req.uuid(try? req.query.get(String.self, at: "district"))
        let networkRaw = (try? req.query.get(String.self, at: "network")) ?? ""
        let inNetwork: Bool? = networkRaw == "yes" ? true : networkRaw == "no" ? false : nil
        let page = PageQuery(page: try? req.query.get(Int.self, at: "page"), per: 25)
        let list = try await req.network.organisations.list(OrganisationFilter(q: q, kind: kind, districtID: districtID, inNetwork: inNetwork), page: page)
        let rows = try await Self.rows(list.items, req: req)
        let districts = try await req.network.geography.all(level: .district)
        let lang = req.appLocale.rawValue
        var filter = URLComponents()
        filter.queryItems = [URLQueryItem(name: "q", value: q), URLQueryItem(name: "kind", value: kind?.rawValue ?? ""),
                             URLQueryItem(name: "district", value: districtID?.uuidString ?? ""), URLQueryItem(name: "network", value: networkRaw)]
        return try await req.render("organisations/index", title: req.t("organisations.title"), IndexPage(
            rows: rows, q: q,
            kinds: OrganisationKind.allCases.map { Choice(value: $0.rawValue, label: req.t("organisation.kind.\($0.rawValue)"), selected: $0 == kind) },
            districts: districts.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id == districtID) },
            network: [Choice(value: "yes", label: req.t("organisations.in-network"), selected: inNetwork == true),
                      Choice(value: "no", label: req.t("organisations.partners"), selected: inNetwork == false)],
            pager: list.pager, canManage: user.permits(.manageOrganisations),
            filterQuery: filter.percentEncodedQuery ?? ""))
    }

    static func rows(_ orgs: [OrganisationRecord], req: Request) async throws -> [Row] {
        let places = try await req.network.geography.lookup(orgs.map(\.districtID) + orgs.compactMap(\.villageID))
        let lang = req.appLocale.rawValue
        return orgs.map { o in
            Row(id: o.id, name: o.name, kind: req.t("organisation.kind.\(o.kind.rawValue)"),
                district: places[o.districtID]?.name.named(lang) ?? "", village: o.villageID.flatMap { places[$0]?.name.named(lang) },
                phone: o.phone, inNetwork: o.inNetwork)
        }
    }

    struct ShowPage: Encodable {
        let org: Row
        let address: String?
        let email: String?
        let contactPerson: String?
        let canManage: Bool
    }

    @Sendable func show(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let org = try await req.network.organisations.get(req.pathID())
        let row = try await Self.rows([org], req: req)[0]
        return try await req.render("organisations/show", title: req.t("organisations.one"), ShowPage(
            org: row, address: org.address, email: org.email, contactPerson: org.contactPerson,
            canManage: user.permits(.manageOrganisations)))
    }

    struct OrganisationForm: Content {
        var name: String?
        var kind: String?
        var district_id: String?
        var village_id: String?
        var address: String?
        var phone: String?
        var email: String?
        var contact_person: String?
        var in_network: String?
    }

    struct FormPage: Encodable {
        let action: String
        let form: OrganisationForm
        let kinds: [Choice]
        let districts: [Choice]
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let inNetwork: Bool
        let errors: FieldErrors
        let isNew: Bool
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try req.require(.manageOrganisations)
        return try await renderForm(req, form: OrganisationForm(in_network: "on"), errors: [:], editing: nil)
    }

    @Sendable func create(req: Request) async throws -> Response {
        try req.require(.manageOrganisations)
        let form = try req.content.decode(OrganisationForm.self)
        do {
            let org = try await req.network.organisations.create(try Self.draft(form, req: req), by: req.actor)
            return req.redirect(to: "/organisations/\(org.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: nil, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        try req.require(.manageOrganisations)
        let org = try await req.network.organisations.get(req.pathID())
        let form = OrganisationForm(name: org.name, kind: org.kind.rawValue, district_id: org.districtID.uuidString,
                                    village_id: org.villageID?.uuidString, address: org.address, phone: org.phone,
                                    email: org.email, contact_person: org.contactPerson, in_network: org.inNetwork ? "on" : nil)
        return try await renderForm(req, form: form, errors: [:], editing: org.id)
    }

    @Sendable func update(req: Request) async throws -> Response {
        try req.require(.manageOrganisations)
        let id = try req.pathID()
        _ = try await req.network.organisations.get(id)
        let form = try req.content.decode(OrganisationForm.self)
        do {
            _ = try await req.network.organisations.update(id, try Self.draft(form, req: req), by: req.actor)
            return req.redirect(to: "/organisations/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: id, status: .unprocessableEntity)
        }
    }

    static func draft(_ form: OrganisationForm, req: Request) throws -> OrganisationDraft {
        guard let kind = form.kind.flatMap(OrganisationKind.init(rawValue:)) else {
            throw DomainError("network.organisation.kind-invalid", field: "kind")
        }
        return OrganisationDraft(name: form.name ?? "", kind: kind, districtID: req.uuid(form.district_id),
                                 villageID: req.uuid(form.village_id), address: form.address, phone: form.phone,
                                 email: form.email, contactPerson: form.contact_person, inNetwork: form.in_network != nil)
    }

    func renderForm(_ req: Request, form: OrganisationForm, errors: FieldErrors, editing: UUID?,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let lang = req.appLocale.rawValue
        let geo = req.network.geography
        let districts = try await geo.all(level: .district)
        let page = FormPage(
            action: editing.map { "/organisations/\($0)" } ?? "/organisations", form: form,
            kinds: OrganisationKind.allCases.map { Choice(value: $0.rawValue, label: req.t("organisation.kind.\($0.rawValue)"), selected: $0.rawValue == form.kind) },
            districts: districts.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id.uuidString == form.district_id) },
            villages: try await req.villageOptions(selected: form.village_id),
            inNetwork: form.in_network != nil, errors: errors, isNew: editing == nil)
        return try await req.render("organisations/form", title: req.t(editing == nil ? "organisations.new" : "organisations.edit"), page, status: status)
    }
}
