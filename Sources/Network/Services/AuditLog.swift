import FluentKit
import Foundation
import Kernel
import SQLKit

/// An audit entry as pages and the API show it.
public struct AuditRecord: Sendable {
    public let id: UUID
    public let at: Date
    public let actorLogin: String
    public let onBehalfOf: UUID?
    public let action: String
    public let entity: String
    public let entityID: UUID?
    public let changes: [FieldChange]
}

/// The append-only record of every write. Services call `record` inside their own transaction,
/// so a write and its audit entry land together or not at all.
public struct AuditLog: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static func record(on db: any Database, actor: Actor, action: String, entity: String,
                              entityID: UUID?, changes: [FieldChange] = []) async throws {
        try await record(on: db, [Line(actor: actor, action: action, entity: entity, entityID: entityID, changes: changes)])
    }

    /// One entry of a write that audits many records at once.
    public struct Line: Sendable {
        let actor: Actor
        let action: String
        let entity: String
        let entityID: UUID?
        let changes: [FieldChange]

        public init(actor: Actor, action: String, entity: String, entityID: UUID?, changes: [FieldChange] = []) {
            (self.actor, self.action, self.entity, self.entityID, self.changes) = (actor, action, entity, entityID, changes)
        }
    }

    /// Records every line in a statement per thousand, the lines as one JSON value (`JSONRows`), not
    /// as Fluent models or a bind per value: every write of the app passes here, and a model's insert
    /// reflects over its fields (Swift's `Mirror`) row by row — a sixth of a round's settlement in a profile.
    public static func record(on db: any Database, _ lines: [Line]) async throws {
        let sql = db as! any SQLDatabase
        let at = Date()
        for chunk in lines.chunks(of: 1_000) {
            var rows = JSONRows([("id", .uuid), ("actor_id", .uuid), ("actor_login", .text), ("on_behalf_of_id", .uuid), ("action", .text),
                                 ("entity", .text), ("entity_id", .uuid), ("changes", .text)])
            for line in chunk {
                rows.append(.uuid(UUID()), .uuid(line.actor.userID), .text(line.actor.login), .uuid(line.actor.onBehalfOf), .text(line.action),
                            .text(line.entity), .uuid(line.entityID), .text(FieldChange.json(line.changes)))
            }
            try await sql.raw("""
                INSERT INTO \(unsafeRaw: AuditEntry.schema) (id, actor_id, actor_login, on_behalf_of_id, action, entity, entity_id, changes, at) \
                \(rows.select(", \(bind: at)", on: sql))
                """).run()
        }
    }

    /// Newest first; filtered by entity type and record when given.
    public func list(entity: String? = nil, entityID: UUID? = nil, page: PageQuery) async throws -> Paged<AuditRecord> {
        let query = AuditEntry.query(on: db)
        if let entity, !entity.isEmpty { query.filter(\.$entity == entity) }
        if let entityID { query.filter(\.$entityID == entityID) }
        let total = try await query.count()
        let rows = try await query.sort(\.$at, .descending).sort(\.$id)
            .range(page.offset..<(page.offset + page.per)).all()
        let decoder = JSONDecoder()
        return Paged(items: rows.map { row in
            AuditRecord(id: row.id!, at: row.at, actorLogin: row.actorLogin, onBehalfOf: row.onBehalfOfID,
                        action: row.action, entity: row.entity, entityID: row.entityID,
                        changes: (try? decoder.decode([FieldChange].self, from: Data(row.changes.utf8))) ?? [])
        }, total: total, request: page)
    }

    /// The entity names that appear in the log, for the filter.
    public static let entities = [
        "place", "organisation", "person", "member_number", "user", "role_grant", "api_token",
        "timebank", "timebank_member", "timebank_transfer", "timebank_claim", "timebank_category", "timebank_listing",
        "producer_group", "producer_member", "counterparty", "catalogue_article", "purchase_round", "round_article", "round_order", "round_cost",
        "sale_pool", "pool_intake", "producer_account_entry", "fund_entry", "fund_claim", "fund_vote", "equipment", "equipment_booking",
        "needs_form", "needs_submission", "stakeholder", "agreement", "agreement_obligation", "agreement_service", "need_services",
        "referral_case", "referral_consent", "referral", "referral_service",
        "product", "regulation", "document", "batch", "brand", "certification_step", "peer_visit",
        "training_session", "consultation",
    ]
}
