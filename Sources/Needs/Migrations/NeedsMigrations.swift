import FluentKit
import SQLKit

/// The Needs context's migrations, in the order they run. Names are stable: never rename one.
public enum NeedsMigrations {
    public static let all: [any Migration] = [
        CreateSurveyForms(),  // needs.001
        CreateSubmissions(),  // needs.002
        AddConsentMethod(),   // needs.003
        AddAnswersVersion(),  // needs.004
    ]
}

struct CreateSurveyForms: AsyncMigration {
    var name: String { "needs.001.create-forms" }
    func prepare(on db: any Database) async throws {
        try await db.schema("needs_forms")
            .id()
            .field("form_key", .string, .required)
            .field("version", .string, .required)
            .field("title", .string, .required)
            .field("question_count", .int, .required)
            .field("definition", .string, .required)
            .field("imported_by_login", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "form_key", "version")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("needs_forms").delete() }
}

/// Answers are JSON: `jsonb` on PostgreSQL, text on SQLite, read with each one's JSON operators.
struct CreateSubmissions: AsyncMigration {
    var name: String { "needs.002.create-submissions" }
    func prepare(on db: any Database) async throws {
        try await db.schema("needs_submissions")
            .id()
            .field("form_id", .uuid, .required, .references("needs_forms", "id"))
            .field("instance_key", .string, .required)
            .field("source", .string, .required)
            .field("submitted_at", .datetime)
            .field("answers", .json, .required)
            .field("repeats", .json)
            .field("recorded_by_login", .string, .required)
            .field("person_id", .uuid, .references("people", "id"))
            .field("consent_recorded_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "form_id", "instance_key")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("needs_submissions").delete() }
}

/// How a respondent gave her consent to be linked: spoken, written, through an interpreter.
struct AddConsentMethod: AsyncMigration {
    var name: String { "needs.003.add-consent-method" }
    func prepare(on db: any Database) async throws {
        try await db.schema("needs_submissions").field("consent_method", .string).update()
    }
    func revert(on db: any Database) async throws { try await db.schema("needs_submissions").deleteField("consent_method").update() }
}

/// A number each new submission of a form moves on, so counts of its answers can be kept until it moves.
struct AddAnswersVersion: AsyncMigration {
    var name: String { "needs.004.add-answers-version" }
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE needs_forms ADD COLUMN answers_version BIGINT NOT NULL DEFAULT 0").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("needs_forms").deleteField("answers_version").update() }
}
