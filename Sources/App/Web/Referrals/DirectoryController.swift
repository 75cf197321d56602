import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import Vapor

/// The directory of specialised services on the web: by kind and district, with those partners agreed
/// to deliver under agreements in force; admins, coordinators and case supervisors add and change them.
struct DirectoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("services", use: list)
        routes.post("services", use: create)
        routes.get("services", ":id", use: edit)
        routes.post("services", ":id", use: update)
    }

    struct Row: Encodable {
        let id: UUID
        let provider: String
        let kind: String
        let districts: String
        let languages: String
        let womanStaff: Bool
        let hours: String
        let contact: String
        let capacity: String
        let fromAgreement: Bool
        let active: Bool
    }

    struct Form: Content {
        var provider: String?
        var organisation_id: String?
        var kind: String?
        var districts: [String]?
        var languages: [String]?
        var woman_staff: String?
        var hours: String?
        var contact: String?
        var capacity: String?
        var active: String?
    }

    struct FormView: Encodable {
        let values: [String: String]
        let organisations: [Choice]
        let kinds: [Choice]
        let districts: [Choice]
        let languages: [Choice]
        let womanStaff: Bool
        let active: Bool
        let errors: FieldErrors
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let kinds: [Choice]
        let districts: [Choice]
        let canManage: Bool
        let form: FormView
        let formOpen: Bool
    }

    struct EditPage: Encodable {
        let id: UUID
        let form: FormView
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: Form(active: "1"), errors: [:])
    }

    func renderList(_ req: Request, form: Form, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(CaseAccess.canReadDirectory)
        let lang = req.appLocale.rawValue
        let kind = (req.query["kind"] as String?).flatMap(HelpServiceKind.init(rawValue:))
        let district = req.uuid(req.query["district"])
        let services = try await req.helpDirectory(kind: kind, district: district)
        let places = Dictionary(uniqueKeysWithValues: try await req.network.geography.all(level: .district).map { ($0.id, $0.name.named(lang)) })
        let rows = services.map { s in
            Row(id: s.id, provider: s.draft.provider, kind: req.t("referrals.kind.\(s.draft.kind.rawValue)"),
                districts: s.draft.districtIDs.compactMap { places[$0] }.joined(separator: ", "),
                languages: s.draft.languages.map { req.t("referrals.language.\($0)") }.joined(separator: ", "), womanStaff: s.draft.womanStaff,
                hours: s.draft.hours, contact: s.draft.contact, capacity: s.draft.capacity.map(String.init) ?? "", fromAgreement: s.fromAgreement,
                active: s.draft.active)
        }
        let districtChoices = [Choice(value: "", label: req.t("referrals.all-districts"), selected: district == nil)]
            + places.sorted { $0.value < $1.value }.map { Choice(value: $0.key.uuidString, label: $0.value, selected: $0.key == district) }
        return try await req.render("referrals/services", title: req.t("referrals.directory"), ListPage(
            rows: rows,
            kinds: [Choice(value: "", label: req.t("referrals.all-kinds"), selected: kind == nil)]
                + HelpServiceKind.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.kind.\($0.rawValue)"), selected: $0 == kind) },
            districts: districtChoices, canManage: CaseAccess.canManageDirectory(grants),
            form: try await formView(req, form, errors: errors), formOpen: !errors.isEmpty), status: status)
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(CaseAccess.canManageDirectory)
        let form = try req.content.decode(Form.self)
        do {
            _ = try await DirectoryService(db: req.db).create(try draft(form, req), by: req.actor)
            return req.redirect(to: "/services")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderList(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        _ = try req.grants(CaseAccess.canManageDirectory)
        let s = try await DirectoryService(db: req.db).service(try req.pathID())
        let d = s.draft
        let form = Form(provider: d.provider, organisation_id: d.organisationID?.uuidString, kind: d.kind.rawValue, districts: d.districtIDs.map(\.uuidString),
                        languages: d.languages, woman_staff: d.womanStaff ? "1" : nil, hours: d.hours, contact: d.contact,
                        capacity: d.capacity.map(String.init), active: d.active ? "1" : nil)
        return try await req.render("referrals/service", title: req.t("referrals.directory"), EditPage(id: s.id, form: try await formView(req, form, errors: [:])))
    }

    @Sendable func update(req: Request) async throws -> Response {
        _ = try req.grants(CaseAccess.canManageDirectory)
        let id = try req.pathID()
        let form = try req.content.decode(Form.self)
        do {
            _ = try await DirectoryService(db: req.db).update(id, try draft(form, req), by: req.actor)
            return req.redirect(to: "/services")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await req.render("referrals/service", title: req.t("referrals.directory"),
                                        EditPage(id: id, form: try await formView(req, form, errors: errors)), status: .unprocessableEntity)
        }
    }

    func draft(_ form: Form, _ req: Request) throws -> HelpServiceDraft {
        guard let kind = form.kind.flatMap(HelpServiceKind.init(rawValue:)) else { throw DomainError("referrals.service.kind-required", field: "kind") }
        let capacity = try form.capacity.nonBlank.map { text in
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else { throw DomainError("referrals.service.capacity-invalid", field: "capacity") }
            return n
        }
        return HelpServiceDraft(organisationID: req.uuid(form.organisation_id), provider: form.provider ?? "", kind: kind,
                                districtIDs: (form.districts ?? []).compactMap { req.uuid($0) }, languages: form.languages ?? [],
                                womanStaff: form.woman_staff != nil, hours: form.hours ?? "", contact: form.contact ?? "", capacity: capacity,
                                active: form.active != nil)
    }

    func formView(_ req: Request, _ form: Form, errors: FieldErrors) async throws -> FormView {
        let lang = req.appLocale.rawValue
        let organisations = try await req.network.organisations.all().filter(\.inNetwork).sorted { $0.name < $1.name }
        return FormView(
            values: ["provider": form.provider ?? "", "hours": form.hours ?? "", "contact": form.contact ?? "", "capacity": form.capacity ?? ""],
            organisations: [Choice(value: "", label: req.t("referrals.outside-network"), selected: form.organisation_id.nonBlank == nil)]
                + organisations.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == form.organisation_id) },
            kinds: HelpServiceKind.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.kind.\($0.rawValue)"), selected: $0.rawValue == form.kind) },
            districts: try await req.network.geography.all(level: .district).map {
                Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: form.districts?.contains($0.id.uuidString) ?? false)
            },
            languages: ["ky", "ru", "en", "uz"].map { Choice(value: $0, label: req.t("referrals.language.\($0)"), selected: form.languages?.contains($0) ?? false) },
            womanStaff: form.woman_staff != nil, active: form.active != nil, errors: errors)
    }
}
