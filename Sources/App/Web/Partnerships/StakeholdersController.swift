import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Partnerships
import Vapor

/// The stakeholder map on the web: every actor with its place on the power–interest grid (drawn from
/// the data), adding one, and changing one.
struct StakeholdersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("stakeholders", use: list)
        routes.post("stakeholders", use: create)
        routes.get("stakeholders", ":id", use: edit)
        routes.post("stakeholders", ":id", use: update)
    }

    struct Row: Encodable {
        let id: UUID
        let number: Int
        let name: String
        let sector: String
        let role: String
        let influence: Int
        let interest: Int
        let quadrant: String
        let inputs: String
    }

    struct Form: Content {
        var name: String?
        var is_person: String?
        var sector: String?
        var district_id: String?
        var role: String?
        var influence: String?
        var interest: String?
        var activities: String?
        var inputs: [String]?
        var strategy: String?
        var contact: String?
    }

    struct FormView: Encodable {
        let values: [String: String]
        let isPerson: Bool
        let sectors: [Choice]
        let districts: [Choice]
        let scale: [String]
        let inputs: [Choice]
        let errors: FieldErrors
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let grid: String
        let canManage: Bool
        let sectors: [Choice]
        let form: FormView
        let formOpen: Bool
    }

    struct EditPage: Encodable {
        let id: UUID
        let name: String
        let quadrant: String
        let form: FormView
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: Form(), errors: [:])
    }

    func renderList(_ req: Request, form: Form, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(PartnershipAccess.canRead)
        let sector = (req.query["sector"] as String?).flatMap(Sector.init(rawValue:))
        let all = try await StakeholderService(db: req.db).all()
        let shown = all.filter { sector == nil || $0.draft.sector == sector }
        let rows = shown.enumerated().map { index, s in
            Row(id: s.id, number: index + 1, name: s.draft.name, sector: req.t("partnerships.sector.\(s.draft.sector.rawValue)"), role: s.draft.role,
                influence: s.draft.influence, interest: s.draft.interest, quadrant: req.t("partnerships.quadrant.\(s.quadrant.rawValue)"),
                inputs: s.draft.inputs.map { req.t("partnerships.input.\($0.rawValue)") }.joined(separator: ", "))
        }
        let grid = SVGChart.grid(rows.map { SVGChart.Point(label: String($0.number), x: $0.interest, y: $0.influence) },
                                 title: req.t("partnerships.grid"), xLabel: req.t("partnerships.interest"), yLabel: req.t("partnerships.influence"),
                                 quadrants: [req.t("partnerships.quadrant.keep_satisfied"), req.t("partnerships.quadrant.manage_closely"),
                                             req.t("partnerships.quadrant.monitor"), req.t("partnerships.quadrant.keep_informed")])
        return try await req.render("partnerships/stakeholders", title: req.t("partnerships.stakeholders"), ListPage(
            rows: rows, grid: grid, canManage: PartnershipAccess.canManage(grants),
            sectors: [Choice(value: "", label: req.t("partnerships.all-sectors"), selected: sector == nil)]
                + Sector.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.sector.\($0.rawValue)"), selected: $0 == sector) },
            form: try await formView(req, form, errors: errors), formOpen: !errors.isEmpty), status: status)
    }

    @Sendable func create(req: Request) async throws -> Response {
        guard PartnershipAccess.canManage(try req.grants(PartnershipAccess.canRead)) else { throw Abort(.forbidden) }
        let form = try req.content.decode(Form.self)
        do {
            _ = try await StakeholderService(db: req.db).create(try Self.draft(form, req), by: req.actor)
            return req.redirect(to: "/stakeholders")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderList(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let s = try await StakeholderService(db: req.db).stakeholder(try req.pathID())
        let d = s.draft
        let form = Form(name: d.name, is_person: d.isPerson ? "1" : nil, sector: d.sector.rawValue, district_id: d.districtID?.uuidString, role: d.role,
                        influence: String(d.influence), interest: String(d.interest), activities: d.activities, inputs: d.inputs.map(\.rawValue),
                        strategy: d.strategy, contact: d.contact)
        return try await renderEdit(req, s, form: form, errors: [:])
    }

    func renderEdit(_ req: Request, _ s: StakeholderRecord, form: Form, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("partnerships/stakeholder", title: req.t("partnerships.stakeholders"), EditPage(
            id: s.id, name: s.draft.name, quadrant: req.t("partnerships.quadrant.\(s.quadrant.rawValue)"),
            form: try await formView(req, form, errors: errors)), status: status)
    }

    @Sendable func update(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(Form.self)
        do {
            _ = try await StakeholderService(db: req.db).update(id, try Self.draft(form, req), by: req.actor)
            return req.redirect(to: "/stakeholders")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderEdit(req, try await StakeholderService(db: req.db).stakeholder(id), form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    static func draft(_ form: Form, _ req: Request) throws -> StakeholderDraft {
        guard let sector = form.sector.flatMap(Sector.init(rawValue:)) else { throw DomainError("partnerships.stakeholder.sector-required", field: "sector") }
        return StakeholderDraft(
            name: form.name ?? "", isPerson: form.is_person != nil, sector: sector, districtID: req.uuid(form.district_id), role: form.role ?? "",
            influence: Int(form.influence ?? "") ?? 0, interest: Int(form.interest ?? "") ?? 0, activities: form.activities ?? "",
            inputs: (form.inputs ?? []).compactMap(Input.init(rawValue:)), strategy: form.strategy ?? "", contact: form.contact ?? "")
    }

    func formView(_ req: Request, _ form: Form, errors: FieldErrors) async throws -> FormView {
        let lang = req.appLocale.rawValue
        let districts = try await req.network.geography.all(level: .district)
        return FormView(
            values: ["name": form.name ?? "", "role": form.role ?? "", "influence": form.influence ?? "3", "interest": form.interest ?? "3",
                     "activities": form.activities ?? "", "strategy": form.strategy ?? "", "contact": form.contact ?? ""],
            isPerson: form.is_person != nil,
            sectors: Sector.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.sector.\($0.rawValue)"), selected: $0.rawValue == form.sector) },
            districts: [Choice(value: "", label: req.t("partnerships.no-district"), selected: form.district_id == nil)]
                + districts.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id.uuidString == form.district_id) },
            scale: ["1", "2", "3", "4", "5"],
            inputs: Input.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.input.\($0.rawValue)"), selected: form.inputs?.contains($0.rawValue) ?? false) },
            errors: errors)
    }
}
