import FluentKit
import SQLKit

/// The Network context's migrations, in the order they run. Names are stable: never rename one.
public enum NetworkMigrations {
    public static let all: [any Migration] = [
        CreatePlaces(),          // network.001
        CreateOrganisations(),   // network.002
        CreatePeople(),          // network.003
        CreateMemberNumbers(),   // network.004
        CreateUsers(),           // network.005
        CreateRoleGrants(),      // network.006
        CreateApiTokens(),       // network.007
        CreateLoginAttempts(),   // network.008
        CreateAuditEntries(),    // network.009
        MakeAuditAppendOnly(),   // network.010
        CreateWriteLock(),       // network.011
        AddPathConsent(),        // network.012
        CreateIdempotencyRecords(),  // app.001: named when it lived in the App target
        CreateNetworkReach(),    // network.013
        CreateKeptCounts(),      // network.014
        AddPersonLanguage(),     // network.015
        // The registry's pages run in name order: at 200,000 people, sorting them all for each page took 150 ms.
        AddIndex("network.016.index-people-by-name", "people_by_name", on: "people (full_name, id)"),
        // Lists of one kind of organisation (time banks, producer groups) in name order: at national scale
        // each page sorted all 2,000 groups by name; with this index a page is a range read.
        AddIndex("network.017.index-organisations-by-kind-and-name", "organisations_by_kind_name", on: "organisations (kind, name, id)"),
        KeepPeopleTotal(),       // network.018
        // The registry's search finds a woman by her member number in any organisation: without an index
        // on the number alone it read all 200,000 numbers of a national network for every search.
        AddIndex("network.019.index-member-numbers", "member_numbers_by_number", on: "member_numbers (number)"),
        IndexPeopleSearch(),     // network.020
        IndexPeopleWords(),      // network.021
        IndexPeopleNameWords(),  // network.022
        // Kept answers are forgotten after `IdempotencyReceipt.keptFor`: the oldest found by their age, not by reading them all.
        AddIndex("network.023.index-idempotency-records-by-age", "idempotency_records_by_age", on: "idempotency_records (created_at)"),
    ]
}

struct CreatePlaces: AsyncMigration {
    var name: String { "network.001.create-places" }
    func prepare(on db: any Database) async throws {
        try await db.schema("places")
            .id()
            .field("level", .string, .required)
            .field("parent_id", .uuid, .references("places", "id"))
            .field("oblast_id", .uuid, .references("places", "id"))
            .field("district_id", .uuid, .references("places", "id"))
            .field("code", .string)
            .field("name_ky", .string, .required)
            .field("name_ru", .string, .required)
            .field("name_en", .string, .required)
            .field("search_key", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await (db as? any SQLDatabase)?.create(index: "places_level_parent").on("places").column("level").column("parent_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("places").delete() }
}

struct CreateOrganisations: AsyncMigration {
    var name: String { "network.002.create-organisations" }
    func prepare(on db: any Database) async throws {
        try await db.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("search_key", .string, .required)
            .field("kind", .string, .required)
            .field("district_id", .uuid, .required, .references("places", "id"))
            .field("village_id", .uuid, .references("places", "id"))
            .field("address", .string)
            .field("phone", .string)
            .field("email", .string)
            .field("contact_person", .string)
            .field("in_network", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await (db as? any SQLDatabase)?.create(index: "organisations_district").on("organisations").column("district_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("organisations").delete() }
}

struct CreatePeople: AsyncMigration {
    var name: String { "network.003.create-people" }
    func prepare(on db: any Database) async throws {
        try await db.schema("people")
            .id()
            .field("full_name", .string, .required)
            .field("search_key", .string, .required)
            .field("sex", .string, .required)
            .field("birth_year", .int, .required)
            .field("village_id", .uuid, .required, .references("places", "id"))
            .field("phone", .string)
            .field("phone_digits", .string)
            .field("household_code", .string)
            .field("contact_consent", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.create(index: "people_search_key").on("people").column("search_key").run()
            try await sql.create(index: "people_village").on("people").column("village_id").run()
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("people").delete() }
}

struct CreateMemberNumbers: AsyncMigration {
    var name: String { "network.004.create-member-numbers" }
    func prepare(on db: any Database) async throws {
        try await db.schema("member_numbers")
            .id()
            .field("person_id", .uuid, .required, .references("people", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("number", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "organisation_id", "number")
            .unique(on: "organisation_id", "person_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("member_numbers").delete() }
}

struct CreateUsers: AsyncMigration {
    var name: String { "network.005.create-users" }
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("login", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("phone_digits", .string)
            .field("person_id", .uuid, .references("people", "id"))
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "login")
            .unique(on: "phone_digits")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("users").delete() }
}

struct CreateRoleGrants: AsyncMigration {
    var name: String { "network.006.create-role-grants" }
    func prepare(on db: any Database) async throws {
        try await db.schema("role_grants")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("created_at", .datetime)
            .create()
        try await (db as? any SQLDatabase)?.create(index: "role_grants_user").on("role_grants").column("user_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("role_grants").delete() }
}

struct CreateApiTokens: AsyncMigration {
    var name: String { "network.007.create-api-tokens" }
    func prepare(on db: any Database) async throws {
        try await db.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("api_tokens").delete() }
}

struct CreateLoginAttempts: AsyncMigration {
    var name: String { "network.008.create-login-attempts" }
    func prepare(on db: any Database) async throws {
        try await db.schema("login_attempts")
            .id()
            .field("login_key", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .field("succeeded", .bool, .required)
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.create(index: "login_attempts_login").on("login_attempts").column("login_key").column("at").run()
            try await sql.create(index: "login_attempts_address").on("login_attempts").column("address").column("at").run()
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("login_attempts").delete() }
}

struct CreateAuditEntries: AsyncMigration {
    var name: String { "network.009.create-audit-entries" }
    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_login", .string, .required)
            .field("on_behalf_of_id", .uuid)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .uuid)
            .field("changes", .string, .required)
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.create(index: "audit_entries_at").on("audit_entries").column("at").run()
            try await sql.create(index: "audit_entries_entity").on("audit_entries").column("entity_id").run()
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("audit_entries").delete() }
}

/// The database itself refuses to change or remove an audit entry, whoever asks.
struct MakeAuditAppendOnly: AsyncMigration {
    var name: String { "network.010.audit-append-only" }
    func prepare(on db: any Database) async throws { try await AppendOnlyTable.protect("audit_entries", on: db) }
    func revert(on db: any Database) async throws { try await AppendOnlyTable.unprotect("audit_entries", on: db) }
}

/// The language a woman reads her messages in (an SMS reply, a reminder): ky, ru or en; nil: not asked.
struct AddPersonLanguage: AsyncMigration {
    var name: String { "network.015.person-language" }
    func prepare(on db: any Database) async throws {
        try await db.schema("people").field("language", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("people").deleteField("language").update()
    }
}

/// When a woman agreed that staff see her path across the network on one page (nil: she has not).
struct AddPathConsent: AsyncMigration {
    var name: String { "network.012.person-path-consent" }
    func prepare(on db: any Database) async throws {
        try await db.schema("people").field("path_consent_at", .datetime).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("people").deleteField("path_consent_at").update()
    }
}

/// An index added after its table was made.
public struct AddIndex: AsyncMigration {
    public let name: String
    let index: String
    let target: String

    /// `target`: the table and its columns, as CREATE INDEX writes them ("people (full_name, id)").
    public init(_ name: String, _ index: String, on target: String) {
        self.name = name
        self.index = index
        self.target = target
    }

    public func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX \(unsafeRaw: index) ON \(unsafeRaw: target)").run()
    }

    public func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX \(unsafeRaw: index)").run()
    }
}
