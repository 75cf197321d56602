import FluentKit

/// The Partnerships context's migrations, in the order they run. Names are stable: never rename one.
public enum PartnershipMigrations {
    public static let all: [any Migration] = [
        CreateStakeholders(),  // partnerships.001
        CreateAgreements(),    // partnerships.002
        CreateNeedServices(),  // partnerships.003
    ]
}

struct CreateStakeholders: AsyncMigration {
    var name: String { "partnerships.001.create-stakeholders" }
    func prepare(on db: any Database) async throws {
        try await db.schema("partnerships_stakeholders")
            .id()
            .field("name", .string, .required)
            .field("is_person", .bool, .required)
            .field("sector", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("district_id", .uuid, .references("places", "id"))
            .field("role", .string, .required)
            .field("influence", .int, .required)
            .field("interest", .int, .required)
            .field("activities", .string, .required)
            .field("inputs", .string, .required)
            .field("strategy", .string, .required)
            .field("contact", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("partnerships_stakeholders").delete() }
}

/// An agreement with its parties, obligations and the services it has a partner deliver where.
struct CreateAgreements: AsyncMigration {
    var name: String { "partnerships.002.create-agreements" }
    func prepare(on db: any Database) async throws {
        try await db.schema("partnerships_agreements")
            .id()
            .field("title", .string, .required)
            .field("cooperation", .string, .required)
            .field("rules", .string, .required)
            .field("status", .string, .required)
            .field("signed_on", .string)
            .field("valid_from", .string)
            .field("valid_until", .string)
            .field("review_on", .string)
            .field("scan_name", .string)
            .field("scan_bytes", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("partnerships_agreement_parties")
            .id()
            .field("agreement_id", .uuid, .required, .references("partnerships_agreements", "id"))
            .field("stakeholder_id", .uuid, .required, .references("partnerships_stakeholders", "id"))
            .field("signed_on", .string)
            .unique(on: "agreement_id", "stakeholder_id")
            .create()
        try await db.schema("partnerships_obligations")
            .id()
            .field("agreement_id", .uuid, .required, .references("partnerships_agreements", "id"))
            .field("stakeholder_id", .uuid, .required, .references("partnerships_stakeholders", "id"))
            .field("what", .string, .required)
            .field("due_on", .string)
            .field("recurrence", .string, .required)
            .field("status", .string, .required)
            .field("evidence", .string, .required)
            .field("last_done_on", .string)
            .create()
        try await db.schema("partnerships_services")
            .id()
            .field("agreement_id", .uuid, .required, .references("partnerships_agreements", "id"))
            .field("stakeholder_id", .uuid, .required, .references("partnerships_stakeholders", "id"))
            .field("service", .string, .required)
            .field("district_id", .uuid, .required, .references("places", "id"))
            .unique(on: "agreement_id", "stakeholder_id", "service", "district_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["partnerships_services", "partnerships_obligations", "partnerships_agreement_parties", "partnerships_agreements"] {
            try await db.schema(table).delete()
        }
    }
}

/// Which services answer which need, filled with what Ashar ships for the baseline survey.
struct CreateNeedServices: AsyncMigration {
    var name: String { "partnerships.003.create-need-services" }
    func prepare(on db: any Database) async throws {
        try await db.schema("partnerships_need_services")
            .id()
            .field("form_key", .string, .required)
            .field("need", .string, .required)
            .field("reference", .string, .required)
            .unique(on: "form_key", "need", "reference")
            .create()
        for (need, references) in NeedCoverage.defaults {
            for reference in references {
                try await NeedService(formKey: NeedCoverage.baselineForm, need: need, reference: reference).create(on: db)
            }
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("partnerships_need_services").delete() }
}
