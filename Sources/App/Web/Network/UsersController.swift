import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Staff and member accounts, and the roles they hold. Network admins only.
struct UsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("users")
        users.get(use: index)
        users.get("new", use: newForm)
        users.post(use: create)
        users.get(":id", use: show)
        users.post(":id", "grants", use: grant)
        users.post(":id", "grants", ":grant", "revoke", use: revoke)
        users.post(":id", "password", use: password)
        users.post(":id", "active", use: setActive)
    }

    struct Row: Encodable {
        let id: UUID
        let login: String
        let displayName: String
        let roles: [String]
        let active: Bool
    }

    struct IndexPage: Encodable {
        let rows: [Row]
        let pager: Pager
    }

    @Sendable func index(req: Request) async throws -> Response {
        try req.require(.manageUsers)
        let list = try await req.network.users.list(page: PageQuery(page: try? req.query.get(Int.self, at: "page"), per: 50))
        let orgs = try await req.network.organisations.lookup(list.items.flatMap { $0.grants.compactMap(\.organisationID) })
        let rows = list.items.map { u in
            Row(id: u.id, login: u.login, displayName: u.displayName,
                roles: u.grants.map { Self.describe($0, orgs: orgs, req: req) }, active: u.active)
        }
        return try await req.render("users/index", title: req.t("users.title"), IndexPage(rows: rows, pager: list.pager))
    }

    static func describe(_ grant: GrantRecord, orgs: [UUID: OrganisationRecord], req: Request) -> String {
        let role = req.t("role.\(grant.role.rawValue)")
        guard let org = grant.organisationID.flatMap({ orgs[$0] }) else { return role }
        return "\(role): \(org.name)"
    }

    struct GrantRow: Encodable {
        let id: UUID
        let label: String
    }

    struct ShowPage: Encodable {
        let user: Row
        let isSelf: Bool
        let phone: String?
        let personID: UUID?
        let grants: [GrantRow]
        let roles: [Choice]
        let organisations: [Choice]
        let errors: FieldErrors
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let admin = try req.require(.manageUsers)
        let user = try await req.network.users.get(id)
        let allOrgs = try await req.network.organisations.all()
        let orgs = Dictionary(uniqueKeysWithValues: allOrgs.map { ($0.id, $0) })
        let page = ShowPage(
            user: Row(id: user.id, login: user.login, displayName: user.displayName, roles: [], active: user.active),
            isSelf: user.id == admin.id,
            phone: user.phoneDigits.map(PhoneNumber.display), personID: user.personID,
            grants: user.grants.map { GrantRow(id: $0.id, label: Self.describe($0, orgs: orgs, req: req)) },
            roles: Role.allCases.map { Choice(value: $0.rawValue, label: req.t("role.\($0.rawValue)"), selected: false) },
            organisations: allOrgs.map { Choice(value: $0.id.uuidString, label: $0.name, selected: false) },
            errors: errors)
        return try await req.render("users/show", title: req.t("users.one"), page, status: status)
    }

    struct UserForm: Content {
        var login: String?
        var display_name: String?
        var phone: String?
        var person_id: String?
        var password: String?
        var role: String?
        var organisation_id: String?
    }

    struct FormPage: Encodable {
        let form: UserForm
        let roles: [Choice]
        let organisations: [Choice]
        let errors: FieldErrors
        let minLength: Int
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try req.require(.manageUsers)
        let personID = req.uuid(try? req.query.get(String.self, at: "person"))
        var form = UserForm(person_id: personID?.uuidString)
        if let personID, let person = try? await req.network.people.get(personID) {
            form.display_name = person.fullName
            form.phone = person.phone
            form.role = Role.member.rawValue
        }
        return try await renderForm(req, form: form, errors: [:])
    }

    /// Creates the account and its first role together.
    @Sendable func create(req: Request) async throws -> Response {
        try req.require(.manageUsers)
        let form = try req.content.decode(UserForm.self)
        do {
            let role = form.role.flatMap(Role.init(rawValue:))
            guard let role else { throw DomainError("network.role.invalid", field: "role") }
            if let problem = PasswordRules.check(password: form.password ?? "", isPIN: role == .member) { throw problem }
            let hash = try await req.password.async.hash(form.password ?? "")
            let user = try await req.db.writeTransaction { tx in
                let users = UserService(db: tx)
                let user = try await users.create(UserDraft(login: form.login ?? "", displayName: form.display_name ?? "",
                                                            phone: form.phone.nonBlank, personID: req.uuid(form.person_id)),
                                                  passwordHash: hash, by: req.actor)
                try await users.grant(user.id, role: role, organisationID: req.uuid(form.organisation_id), by: req.actor)
                return user
            }
            return req.redirect(to: "/users/\(user.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    func renderForm(_ req: Request, form: UserForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        var form = form
        form.password = nil  // never echoed back into the page
        let orgs = try await req.network.organisations.all()
        let page = FormPage(
            form: form,
            roles: Role.allCases.map { Choice(value: $0.rawValue, label: req.t("role.\($0.rawValue)"), selected: $0.rawValue == form.role) },
            organisations: orgs.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == form.organisation_id) },
            errors: errors, minLength: PasswordRules.minimumPasswordLength)
        return try await req.render("users/form", title: req.t("users.new"), page, status: status)
    }

    @Sendable func grant(req: Request) async throws -> Response {
        try req.require(.manageUsers)
        let id = try req.pathID()
        let form = try req.content.decode(UserForm.self)
        do {
            guard let role = form.role.flatMap(Role.init(rawValue:)) else { throw DomainError("network.role.invalid", field: "role") }
            try await req.network.users.grant(id, role: role, organisationID: req.uuid(form.organisation_id), by: req.actor)
            return req.redirect(to: "/users/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, id: id, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable func revoke(req: Request) async throws -> Response {
        let admin = try req.require(.manageUsers)
        let id = try req.pathID()
        let grantID = try req.pathID("grant")
        // An admin cannot take away her own admin role: the network could be left with no admin.
        if id == admin.id, admin.grants.contains(where: { $0.id == grantID && $0.role == .admin }) {
            throw DomainError("network.user.cannot-revoke-own-admin", kind: .conflict)
        }
        try await req.network.users.revoke(grantID: grantID, of: id, by: req.actor)
        return req.redirect(to: "/users/\(id)")
    }

    @Sendable func password(req: Request) async throws -> Response {
        try req.require(.manageUsers)
        let id = try req.pathID()
        let form = try req.content.decode(UserForm.self)
        do {
            let user = try await req.network.users.get(id)
            let isPIN = user.grants.allSatisfy { $0.role == .member } && !user.grants.isEmpty
            if let problem = PasswordRules.check(password: form.password ?? "", isPIN: isPIN) { throw problem }
            try await req.network.users.setPassword(id, passwordHash: try await req.password.async.hash(form.password ?? ""), by: req.actor)
            return req.redirect(to: "/users/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, id: id, errors: errors, status: .unprocessableEntity)
        }
    }

    @Sendable func setActive(req: Request) async throws -> Response {
        let admin = try req.require(.manageUsers)
        let id = try req.pathID()
        let active = (try? req.content.get(String.self, at: "active")) == "true"
        if id == admin.id && !active { throw DomainError("network.user.cannot-deactivate-self", kind: .conflict) }
        try await req.network.users.setActive(id, active, by: req.actor)
        return req.redirect(to: "/users/\(id)")
    }
}
