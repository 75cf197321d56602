import FluentKit

/// The Referrals context's migrations, in the order they run. Names are stable: never rename one.
public enum ReferralMigrations {
    public static let all: [any Migration] = [
        CreateHelpServices(),  // referrals.001
        CreateCases(),         // referrals.002
    ]
}

struct CreateHelpServices: AsyncMigration {
    var name: String { "referrals.001.create-services" }
    func prepare(on db: any Database) async throws {
        try await db.schema("referrals_services")
            .id()
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("provider", .string, .required)
            .field("kind", .string, .required)
            .field("districts", .string, .required)
            .field("languages", .string, .required)
            .field("woman_staff", .bool, .required)
            .field("hours", .string, .required)
            .field("contact", .string, .required)
            .field("capacity", .int)
            .field("active", .bool, .required)
            .field("partner_service_id", .uuid)
            .field("created_at", .datetime)
            .unique(on: "partner_service_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("referrals_services").delete() }
}

/// Cases, their consents and their referrals.
struct CreateCases: AsyncMigration {
    var name: String { "referrals.002.create-cases" }
    func prepare(on db: any Database) async throws {
        try await db.schema("referrals_cases")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("requested_by_organisation_id", .uuid, .references("organisations", "id"))
            .field("alias", .string, .required)
            .field("person_id", .uuid, .references("people", "id"))
            .field("situations", .string, .required)
            .field("risk_level", .string, .required)
            .field("village_id", .uuid, .references("places", "id"))
            .field("district_id", .uuid, .references("places", "id"))
            .field("preferences_sealed", .string)
            .field("notes_sealed", .string)
            .field("status", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("received_at", .datetime)
            .field("first_contact_at", .datetime)
            .field("closed_at", .datetime)
            .field("outcome", .string)
            .field("anonymised_at", .datetime)
            .field("opened_by_login", .string, .required)
            .create()
        try await db.schema("referrals_consents")
            .id()
            .field("case_id", .uuid, .required, .references("referrals_cases", "id"))
            .field("recipient_organisation_id", .uuid, .references("organisations", "id"))
            .field("scope", .string, .required)
            .field("purpose", .string, .required)
            .field("given_how", .string, .required)
            .field("given_at", .datetime, .required)
            .field("expires_on", .string)
            .field("withdrawn_at", .datetime)
            .field("recorded_by_login", .string, .required)
            .create()
        try await db.schema("referrals_referrals")
            .id()
            .field("case_id", .uuid, .required, .references("referrals_cases", "id"))
            .field("service_id", .uuid, .required, .references("referrals_services", "id"))
            .field("from_organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("to_organisation_id", .uuid, .references("organisations", "id"))
            .field("consent_id", .uuid, .references("referrals_consents", "id"))
            .field("override_reason", .string)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("outcome", .string)
            .field("follow_up_on", .string)
            .field("sent_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("closed_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("referrals_referrals").delete()
        try await db.schema("referrals_consents").delete()
        try await db.schema("referrals_cases").delete()
    }
}
