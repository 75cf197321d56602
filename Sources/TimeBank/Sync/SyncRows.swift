import AsharNetwork
import FluentKit
import SQLKit
import Foundation
import Kernel

/// What an office knows of each row it shares with the centre. A membership or transfer with no row
/// here was made at the office and waits to be sent.
public final class SyncRow: Model, @unchecked Sendable {
    public static let schema = "timebank_sync_rows"

    public enum Kind: String, Codable, Sendable { case member, transfer }
    public enum State: String, Codable, Sendable {
        /// Made here and taken by the centre.
        case sent
        /// Made at the centre (or another office) and applied here.
        case fromCentre = "from_centre"
        /// Refused: by the centre (made here), or here (from the centre). Kept for staff to resolve.
        case refused
        /// Made here for here only: the reversal of a transfer the centre refused.
        case local
    }

    /// The membership's or transfer's id.
    @ID(custom: "id", generatedBy: .user) public var id: UUID?
    @Enum(key: "kind") public var kind: Kind
    @Enum(key: "state") public var state: State
    /// Why it was refused: an error code, and its message's values as JSON.
    @OptionalField(key: "reason") public var reason: String?
    @OptionalField(key: "arguments") public var arguments: String?
    @Field(key: "at") public var at: Date

    public init() {}

    public var refusal: DomainError? {
        reason.map { code in
            let values = arguments.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            return DomainError(code, arguments: values)
        }
    }

    /// Records the rows' state, replacing what was known of them.
    static func mark(_ ids: [UUID], kind: Kind, state: State, reason: (any Error)? = nil, on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        let error: DomainError? = reason.map { error in
            (error as? DomainError) ?? (error as? ValidationErrors)?.errors.first ?? DomainError("timebank.sync.failed")
        }
        try await SyncRow.query(on: db).filter(\.$id ~~ ids).delete()
        let now = Date()
        try await ids.map { id in
            let row = SyncRow()
            row.id = id
            row.kind = kind
            row.state = state
            row.reason = error?.code
            row.arguments = try error.map { String(decoding: try JSONEncoder().encode($0.arguments), as: UTF8.self) }
            row.at = now
            return row
        }.create(on: db)
    }
}

/// An office's settings and cursors: which banks it is the home of, where each of the centre's feeds stopped.
final class SyncState: Model, @unchecked Sendable {
    static let schema = "timebank_sync_state"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    var key: String { id! }

    init() {}
    init(key: String, value: String) {
        id = key
        self.value = value
    }
}

struct CreateSyncTables: AsyncMigration {
    var name: String { "timebank.017.create-sync-tables" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_sync_rows")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("reason", .string)
            .field("arguments", .string)
            .field("at", .datetime, .required)
            .create()
        try await db.schema("timebank_sync_state")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        // The centre's feeds read in the order rows were written, from a cursor.
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX timebank_transfers_by_time ON timebank_transfers (recorded_at, id)").run()
        try await sql.raw("CREATE INDEX timebank_members_by_creation ON timebank_members (bank_id, created_at, id)").run()
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DROP INDEX timebank_transfers_by_time").run()
        try await sql.raw("DROP INDEX timebank_members_by_creation").run()
        try await db.schema("timebank_sync_rows").delete()
        try await db.schema("timebank_sync_state").delete()
    }
}
