import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Oblasts → districts → aiyl aimaks → villages: browse, add, rename.
struct GeographyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let geo = routes.grouped("geography")
        geo.get(use: index)
        geo.get("new", use: newForm)
        geo.post(use: create)
        geo.get(":id", use: show)
        geo.get(":id", "edit", use: editForm)
        geo.post(":id", use: update)
    }

    struct PlaceItem: Encodable {
        let id: UUID
        let name: String
        let children: [PlaceItem]
    }

    struct IndexPage: Encodable {
        let oblasts: [PlaceItem]
        let canManage: Bool
    }

    @Sendable func index(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let geo = req.network.geography
        let lang = req.appLocale.rawValue
        let districts = Dictionary(grouping: try await geo.all(level: .district), by: { $0.parentID })
        let oblasts = try await geo.all(level: .oblast).map { oblast in
            PlaceItem(id: oblast.id, name: oblast.name.named(lang),
                      children: (districts[oblast.id] ?? []).map { PlaceItem(id: $0.id, name: $0.name.named(lang), children: []) })
        }
        return try await req.render("geography/index", title: req.t("geography.title"),
                                    IndexPage(oblasts: oblasts, canManage: user.permits(.manageGeography)))
    }

    struct Crumb: Encodable {
        let id: UUID
        let name: String
    }

    struct ShowPage: Encodable {
        let place: PlaceItem
        let level: String
        let code: String?
        let names: LocalizedName
        let path: [Crumb]
        let childLevel: String?
        let canManage: Bool
    }

    @Sendable func show(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let geo = req.network.geography
        let lang = req.appLocale.rawValue
        let place = try await geo.get(req.pathID())
        let path = try await geo.path(to: place.id).dropLast().map { Crumb(id: $0.id, name: $0.name.named(lang)) }
        var children: [PlaceItem] = []
        if let childLevel = place.level.child {
            let direct = try await geo.list(level: childLevel, parentID: place.id, page: PageQuery(per: PageQuery.maxPer)).items
            // A district shows its villages under each aiyl aimak: one more query, not one per aimak.
            var grandchildren: [UUID: [PlaceRecord]] = [:]
            if let grandLevel = childLevel.child, place.level == .district {
                grandchildren = Dictionary(grouping: try await geo.list(level: grandLevel, districtID: place.id,
                                                                         page: PageQuery(per: PageQuery.maxPer)).items,
                                           by: { $0.parentID ?? place.id })
            }
            children = direct.map { c in
                PlaceItem(id: c.id, name: c.name.named(lang),
                          children: (grandchildren[c.id] ?? []).map { PlaceItem(id: $0.id, name: $0.name.named(lang), children: []) })
            }
        }
        let page = ShowPage(place: PlaceItem(id: place.id, name: place.name.named(lang), children: children),
                            level: place.level.rawValue, code: place.code, names: place.name, path: path,
                            childLevel: place.level.child?.rawValue, canManage: user.permits(.manageGeography))
        return try await req.render("geography/show", title: req.t("geography.level.\(place.level.rawValue)"), page)
    }

    struct PlaceForm: Content {
        var level: String?
        var parent_id: String?
        var code: String?
        var name_ky: String?
        var name_ru: String?
        var name_en: String?
    }

    struct FormPage: Encodable {
        let action: String
        let level: String
        let parentID: String?
        let parentName: String?
        let form: PlaceForm
        let errors: FieldErrors
        let isNew: Bool
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try req.require(.manageGeography)
        let level = (try? req.query.get(String.self, at: "level")).flatMap(PlaceLevel.init(rawValue:)) ?? .oblast
        let parentID = req.uuid(try? req.query.get(String.self, at: "parent"))
        let form = PlaceForm(level: level.rawValue, parent_id: parentID?.uuidString)
        return try await renderForm(req, form: form, errors: [:], editing: nil)
    }

    @Sendable func create(req: Request) async throws -> Response {
        try req.require(.manageGeography)
        let form = try req.content.decode(PlaceForm.self)
        let level = form.level.flatMap(PlaceLevel.init(rawValue:)) ?? .oblast
        do {
            let place = try await req.network.geography.create(Self.draft(form, level: level, parent: req.uuid(form.parent_id)), by: req.actor)
            return req.redirect(to: "/geography/\(place.parentID?.uuidString ?? place.id.uuidString)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: nil, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        try req.require(.manageGeography)
        let place = try await req.network.geography.get(req.pathID())
        let form = PlaceForm(level: place.level.rawValue, parent_id: place.parentID?.uuidString, code: place.code,
                             name_ky: place.name.ky, name_ru: place.name.ru, name_en: place.name.en)
        return try await renderForm(req, form: form, errors: [:], editing: place)
    }

    @Sendable func update(req: Request) async throws -> Response {
        try req.require(.manageGeography)
        let place = try await req.network.geography.get(req.pathID())
        let form = try req.content.decode(PlaceForm.self)
        do {
            _ = try await req.network.geography.update(place.id, Self.draft(form, level: place.level, parent: place.parentID), by: req.actor)
            return req.redirect(to: "/geography/\(place.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: place, status: .unprocessableEntity)
        }
    }

    static func draft(_ form: PlaceForm, level: PlaceLevel, parent: UUID?) -> PlaceDraft {
        PlaceDraft(level: level, parentID: parent, code: form.code.nonBlank,
                   name: LocalizedName(ky: form.name_ky ?? "", ru: form.name_ru ?? "", en: form.name_en ?? ""))
    }

    func renderForm(_ req: Request, form: PlaceForm, errors: FieldErrors, editing: PlaceRecord?,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let level = form.level.flatMap(PlaceLevel.init(rawValue:)) ?? .oblast
        let parentID = req.uuid(form.parent_id)
        let parent = await parentID.asyncMap { try? await req.network.geography.get($0) } ?? nil
        var errors = errors
        if level.parent != nil && parent == nil && errors["parent_id"] == nil && editing == nil {
            errors["parent_id"] = req.t("error.network.place.parent-invalid")
        }
        let page = FormPage(action: editing.map { "/geography/\($0.id)" } ?? "/geography", level: level.rawValue,
                            parentID: parent?.id.uuidString, parentName: parent?.name.named(req.appLocale.rawValue),
                            form: form, errors: errors, isNew: editing == nil)
        return try await req.render("geography/form", title: req.t(editing == nil ? "geography.new" : "geography.edit"), page, status: status)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
