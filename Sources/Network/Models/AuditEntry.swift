import FluentKit
import Foundation

/// One write, as the audit log keeps it: who, when, on behalf of whom, which record, which fields.
/// The table refuses updates and deletes (see the migration); nothing in Ashar edits it.
public final class AuditEntry: Model, @unchecked Sendable {
    public static let schema = "audit_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "at") public var at: Date
    @OptionalField(key: "actor_id") public var actorID: UUID?
    @Field(key: "actor_login") public var actorLogin: String
    @OptionalField(key: "on_behalf_of_id") public var onBehalfOfID: UUID?
    @Field(key: "action") public var action: String
    @Field(key: "entity") public var entity: String
    @OptionalField(key: "entity_id") public var entityID: UUID?
    /// JSON array of `{"field","from","to"}`.
    @Field(key: "changes") public var changes: String

    public init() {}
}
