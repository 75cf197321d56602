import FluentKit
import Foundation
import Kernel

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
        let entry = AuditEntry()
        entry.at = Date()
        entry.actorID = actor.userID
        entry.actorLogin = actor.login
        entry.onBehalfOfID = actor.onBehalfOf
        entry.action = action
        entry.entity = entity
        entry.entityID = entityID
        let data = try JSONEncoder().encode(changes)
        entry.changes = String(decoding: data, as: UTF8.self)
        try await entry.create(on: db)
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
