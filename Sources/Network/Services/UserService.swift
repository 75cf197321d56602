import FluentKit
import SQLKit
import Synchronization
import Foundation
import Kernel

public struct GrantRecord: Sendable, Equatable {
    public let id: UUID
    public let role: Role
    public let organisationID: UUID?
    public var grant: Grant { Grant(role: role, organisationID: organisationID) }
}

public struct UserRecord: Sendable, Equatable {
    public let id: UUID
    public let login: String
    public let displayName: String
    public let phoneDigits: String?
    public let personID: UUID?
    public let active: Bool
    public let grants: [GrantRecord]

    public func permits(_ permission: Permission) -> Bool {
        active && AccessPolicy.permits(grants.map(\.grant), permission)
    }
}

public struct UserDraft: Sendable {
    public var login: String
    public var displayName: String
    public var phone: String?
    public var personID: UUID?

    public init(login: String, displayName: String, phone: String? = nil, personID: UUID? = nil) {
        self.login = login
        self.displayName = displayName
        self.phone = phone
        self.personID = personID
    }
}

/// Users, their roles, and their API tokens. Passwords arrive hashed: hashing is the web layer's job.
public struct UserService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func list(page: PageQuery) async throws -> Paged<UserRecord> {
        let query = User.query(on: db)
        let total = try await query.count()
        let users = try await query.sort(\.$login).range(page.offset..<(page.offset + page.per)).all()
        let grants = try await grants(of: users.compactMap(\.id))
        return Paged(items: users.map { Self.record($0, grants[$0.id!] ?? []) }, total: total, request: page)
    }

    public func get(_ id: UUID) async throws -> UserRecord {
        guard let user = try await User.find(id, on: db) else { throw DomainError.notFound("network.user") }
        return Self.record(user, try await grants(of: [id])[id] ?? [])
    }

    /// The user who logs in with this login or phone number, with the stored hash to check against.
    public func credentials(for identifier: String) async throws -> (user: UserRecord, passwordHash: String)? {
        let trimmed = identifier.trimmingCharacters(in: .whitespaces).lowercased()
        var user = try await User.query(on: db).filter(\.$login == trimmed).first()
        if user == nil, let digits = PhoneNumber.normalise(identifier) {
            user = try await User.query(on: db).filter(\.$phoneDigits == digits).first()
        }
        guard let user else { return nil }
        return (try await get(user.id!), user.passwordHash)
    }

    public func create(_ draft: UserDraft, passwordHash: String, by actor: Actor) async throws -> UserRecord {
        try await db.writeTransaction { tx in
            var errors: [DomainError] = []
            let code = "network.user"
            let login = Check.required(draft.login, field: "login", code: code, maxLength: 60, into: &errors).lowercased()
            if !login.isEmpty && !login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
                errors.append(DomainError("\(code).login-invalid", field: "login"))
            }
            let name = Check.required(draft.displayName, field: "display_name", code: code, into: &errors)
            var phoneDigits: String?
            if let raw = Check.optional(draft.phone, field: "phone", code: code, into: &errors) {
                phoneDigits = PhoneNumber.normalise(raw)
                if phoneDigits == nil { errors.append(DomainError("\(code).phone-invalid", field: "phone")) }
            }
            if try await User.query(on: tx).filter(\.$login == login).first() != nil {
                errors.append(DomainError("\(code).login-taken", kind: .conflict, field: "login", arguments: ["login": login]))
            }
            if let phoneDigits, try await User.query(on: tx).filter(\.$phoneDigits == phoneDigits).first() != nil {
                errors.append(DomainError("\(code).phone-taken", kind: .conflict, field: "phone"))
            }
            if let personID = draft.personID, try await Person.find(personID, on: tx) == nil {
                errors.append(DomainError("\(code).person-invalid", field: "person_id"))
            }
            try ValidationErrors.throwIfAny(errors)
            let user = User()
            user.login = login
            user.displayName = name
            user.passwordHash = passwordHash
            user.phoneDigits = phoneDigits
            user.personID = draft.personID
            user.active = true
            try await user.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "user", entityID: user.id, changes: [
                FieldChange(field: "login", from: nil, to: login),
                FieldChange(field: "display_name", from: nil, to: name),
            ] + (draft.personID.map { [FieldChange(field: "person_id", from: nil, to: $0.uuidString)] } ?? []))
            return Self.record(user, [])
        }
    }

    public func setPassword(_ userID: UUID, passwordHash: String, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            guard let user = try await User.find(userID, on: tx) else { throw DomainError.notFound("network.user") }
            user.passwordHash = passwordHash
            try await user.save(on: tx)
            // The hash itself never goes into the log.
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "user", entityID: userID,
                                      changes: [FieldChange(field: "password", from: nil, to: "changed")])
        }
    }

    public func setActive(_ userID: UUID, _ active: Bool, by actor: Actor) async throws {
        defer { TokenUsers.shared.forgetAll() }
        try await db.writeTransaction { tx in
            guard let user = try await User.find(userID, on: tx) else { throw DomainError.notFound("network.user") }
            guard user.active != active else { return }
            user.active = active
            try await user.save(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "user", entityID: userID,
                                      changes: [FieldChange(field: "active", from: String(!active), to: String(active))])
        }
    }

    public func grant(_ userID: UUID, role: Role, organisationID: UUID?, by actor: Actor) async throws {
        defer { TokenUsers.shared.forgetAll() }
        try await db.writeTransaction { tx in
            guard let user = try await User.find(userID, on: tx) else { throw DomainError.notFound("network.user") }
            let orgID = role.isScoped ? organisationID : nil
            if role.isScoped {
                guard let orgID, let org = try await Organisation.find(orgID, on: tx) else {
                    throw DomainError("network.role.organisation-required", field: "organisation_id")
                }
                if (role == .caseworker || role == .supervisor) && org.kind != .helpCentre {
                    throw DomainError("network.role.caseworker-needs-help-centre", field: "organisation_id")
                }
            }
            if role == .member && user.personID == nil {
                throw DomainError("network.role.member-needs-person", field: "role")
            }
            let existing = try await RoleGrant.query(on: tx).filter(\.$userID == userID).filter(\.$role == role)
                .filter(\.$organisationID == orgID).first()
            if existing != nil { throw DomainError("network.role.already-granted", kind: .conflict, field: "role") }
            let grant = RoleGrant()
            grant.userID = userID
            grant.role = role
            grant.organisationID = orgID
            try await grant.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "role_grant", entityID: grant.id, changes: [
                FieldChange(field: "user_id", from: nil, to: userID.uuidString),
                FieldChange(field: "role", from: nil, to: role.rawValue),
                FieldChange(field: "organisation_id", from: nil, to: orgID?.uuidString),
            ])
        }
    }

    public func revoke(grantID: UUID, of userID: UUID, by actor: Actor) async throws {
        defer { TokenUsers.shared.forgetAll() }
        try await db.writeTransaction { tx in
            guard let grant = try await RoleGrant.find(grantID, on: tx), grant.userID == userID else {
                throw DomainError.notFound("network.role")
            }
            try await grant.delete(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "delete", entity: "role_grant", entityID: grantID, changes: [
                FieldChange(field: "user_id", from: userID.uuidString, to: nil),
                FieldChange(field: "role", from: grant.role.rawValue, to: nil),
                FieldChange(field: "organisation_id", from: grant.organisationID?.uuidString, to: nil),
            ])
        }
    }

    // MARK: API tokens

    public func addToken(_ userID: UUID, tokenHash: String, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            let token = ApiToken()
            token.userID = userID
            token.tokenHash = tokenHash
            try await token.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "api_token", entityID: token.id,
                                      changes: [FieldChange(field: "user_id", from: nil, to: userID.uuidString)])
        }
    }

    /// The active user a token belongs to, with her grants. Every API call asks this first: kept between
    /// calls, else read with plain SQL, two small queries.
    public func user(forTokenHash hash: String) async throws -> UserRecord? {
        if let known = TokenUsers.shared[hash] { return known }
        let user = try await lookUp(tokenHash: hash)
        if let user { TokenUsers.shared[hash] = user }
        return user
    }

    private func lookUp(tokenHash hash: String) async throws -> UserRecord? {
        let sql = db as! any SQLDatabase
        guard let row = try await sql.raw("""
            SELECT u.id, u.login, u.display_name, u.phone_digits, u.person_id, u.active
            FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = \(bind: hash)
            """).first(), try row.decode(column: "active", as: Bool.self) else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        let grants = try await sql.raw("SELECT id, role, organisation_id FROM role_grants WHERE user_id = \(bind: id) ORDER BY created_at").all()
        return UserRecord(
            id: id, login: try row.decode(column: "login", as: String.self), displayName: try row.decode(column: "display_name", as: String.self),
            phoneDigits: try row.decode(column: "phone_digits", as: String?.self), personID: try row.decode(column: "person_id", as: UUID?.self),
            active: true,
            grants: try grants.compactMap { g in
                guard let role = Role(rawValue: try g.decode(column: "role", as: String.self)) else { return nil }
                return GrantRecord(id: try g.decode(column: "id", as: UUID.self), role: role,
                                   organisationID: try g.decode(column: "organisation_id", as: UUID?.self))
            })
    }

    // MARK: -

    func grants(of userIDs: [UUID]) async throws -> [UUID: [GrantRecord]] {
        guard !userIDs.isEmpty else { return [:] }
        let rows = try await RoleGrant.query(on: db).filter(\.$userID ~~ userIDs).sort(\.$createdAt).all()
        return Dictionary(grouping: rows, by: \.userID).mapValues { rows in
            rows.map { GrantRecord(id: $0.id!, role: $0.role, organisationID: $0.organisationID) }
        }
    }

    static func record(_ user: User, _ grants: [GrantRecord]) -> UserRecord {
        UserRecord(id: user.id!, login: user.login, displayName: user.displayName, phoneDigits: user.phoneDigits,
                   personID: user.personID, active: user.active, grants: grants)
    }
}

/// Remembers login failures and says when a login or an address is locked.
public struct LoginThrottle: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func lockedUntil(loginKey: String, address: String, now: Date = Date()) async throws -> Date? {
        let since = now.addingTimeInterval(-2 * LoginThrottleRule.window)
        let lastSuccess = try await LoginAttempt.query(on: db).filter(\.$loginKey == loginKey).filter(\.$succeeded == true)
            .sort(\.$at, .descending).first()?.at ?? .distantPast
        let byLogin = try await LoginAttempt.query(on: db).filter(\.$loginKey == loginKey).filter(\.$succeeded == false)
            .filter(\.$at > max(since, lastSuccess)).all().map(\.at)
        let byAddress = try await LoginAttempt.query(on: db).filter(\.$address == address).filter(\.$succeeded == false)
            .filter(\.$at > since).all().map(\.at)
        return [LoginThrottleRule.lockedUntil(failures: byLogin, now: now),
                LoginThrottleRule.lockedUntil(failures: byAddress, now: now)].compactMap { $0 }.max()
    }

    public func record(loginKey: String, address: String, succeeded: Bool, at: Date = Date()) async throws {
        let attempt = LoginAttempt()
        attempt.loginKey = loginKey
        attempt.address = address
        attempt.at = at
        attempt.succeeded = succeeded
        try await attempt.create(on: db)
    }
}

/// Who each token belongs to, remembered for a few seconds: every API call asks, the answer rarely
/// changes, and asking the database costs each call a round trip. A change to a user's grants or her
/// being active, made in this process, forgets everything at once; one made by another server shows
/// within `lifetime`.
final class TokenUsers: Sendable {
    static let shared = TokenUsers()
    static let lifetime: Duration = .seconds(5)

    private let known = Mutex<[String: (user: UserRecord, until: ContinuousClock.Instant)]>([:])

    subscript(hash: String) -> UserRecord? {
        get {
            known.withLock { known in
                guard let entry = known[hash], entry.until > .now else { return nil }
                return entry.user
            }
        }
        set {
            known.withLock { known in
                if known.count > 10_000 { known.removeAll() }  // tokens are few: this only bounds memory
                known[hash] = newValue.map { ($0, .now + Self.lifetime) }
            }
        }
    }

    func forgetAll() { known.withLock { $0.removeAll() } }
}
