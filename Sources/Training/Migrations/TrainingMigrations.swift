import AsharNetwork
import FluentKit

/// The Training context's migrations, in the order they run. Names are stable: never rename one.
public enum TrainingMigrations {
    public static let all: [any Migration] = [
        CreateSessions(),       // training.001
        CreateConsultations(),  // training.002
        RecordReach(name: "training.003.record-reach", source: """
            SELECT a.person_id, s.held_on AS day FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
            UNION ALL SELECT person_id, held_on FROM training_consultations
            """),
    ]
}

/// Sessions and who came to them.
struct CreateSessions: AsyncMigration {
    var name: String { "training.001.create-sessions" }
    func prepare(on db: any Database) async throws {
        try await db.schema("training_sessions")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("topic", .string, .required)
            .field("title", .string, .required)
            .field("held_on", .string, .required)
            .field("village_id", .uuid, .required, .references("places", "id"))
            .field("district_id", .uuid, .required, .references("places", "id"))
            .field("trainer", .string, .required)
            .field("partner_id", .uuid, .references("partnerships_stakeholders", "id"))
            .field("partner_gave", .string)
            .field("materials", .string, .required)
            .field("headcount", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("training_attendance")
            .id()
            .field("session_id", .uuid, .required, .references("training_sessions", "id"))
            .field("person_id", .uuid, .required, .references("people", "id"))
            .unique(on: "session_id", "person_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("training_attendance").delete()
        try await db.schema("training_sessions").delete()
    }
}

struct CreateConsultations: AsyncMigration {
    var name: String { "training.002.create-consultations" }
    func prepare(on db: any Database) async throws {
        try await db.schema("training_consultations")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("person_id", .uuid, .required, .references("people", "id"))
            .field("topic", .string, .required)
            .field("held_on", .string, .required)
            .field("advisor", .string, .required)
            .field("summary", .string, .required)
            .field("follow_up_on", .string)
            .field("followed_up_on", .string)
            .field("follow_up_note", .string, .required)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("training_consultations").delete() }
}
