import FluentKit

/// The Needs context's migrations, in the order they run. Names are stable: never rename one.
public enum NeedsMigrations {
    public static let all: [any Migration] = [
        CreateSurveyForms(),  // needs.001
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
