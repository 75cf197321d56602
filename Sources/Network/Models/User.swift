import FluentKit
import Foundation

/// Someone who logs in: staff, or a member with her phone number and PIN.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "login") public var login: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "password_hash") public var passwordHash: String
    @OptionalField(key: "phone_digits") public var phoneDigits: String?
    @OptionalField(key: "person_id") public var personID: UUID?
    @Field(key: "active") public var active: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

public enum Role: String, Codable, Sendable, CaseIterable {
    case admin, coordinator, caseworker, member, viewer
    /// A senior case worker of a help centre: a case worker who may also send a referral without the
    /// woman's consent in an emergency, with a written reason.
    case supervisor

    /// Whether a grant of this role names the organisation it is limited to.
    public var isScoped: Bool {
        switch self {
        case .coordinator, .caseworker, .supervisor: true
        case .admin, .member, .viewer: false
        }
    }
}

/// A role given to a user, scoped to one organisation where the role needs it.
public final class RoleGrant: Model, @unchecked Sendable {
    public static let schema = "role_grants"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Enum(key: "role") public var role: Role
    @OptionalField(key: "organisation_id") public var organisationID: UUID?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A bearer token for the API. Only its SHA-256 is stored.
public final class ApiToken: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "token_hash") public var tokenHash: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// One login try, kept to throttle guessing.
public final class LoginAttempt: Model, @unchecked Sendable {
    public static let schema = "login_attempts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "login_key") public var loginKey: String
    @Field(key: "address") public var address: String
    @Field(key: "at") public var at: Date
    @Field(key: "succeeded") public var succeeded: Bool

    public init() {}
}
