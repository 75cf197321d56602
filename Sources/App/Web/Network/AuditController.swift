import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The audit log, read-only: there is no route that changes it.
struct AuditController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("audit", use: index)
    }

    struct Row: Encodable {
        let at: String
        let actor: String
        let action: String
        let entity: String
        let entityID: String?
        let onBehalfOf: String?
        let changes: [Change]
    }

    struct Change: Encodable {
        let field: String
        let from: String?
        let to: String?
    }

    struct IndexPage: Encodable {
        let rows: [Row]
        let entities: [Choice]
        let entity: String
        let record: String?
        let pager: Pager
    }

    @Sendable func index(req: Request) async throws -> Response {
        try req.require(.readAudit)
        let entity = (try? req.query.get(String.self, at: "entity")).flatMap { AuditLog.entities.contains($0) ? $0 : nil }
        let record = req.uuid(try? req.query.get(String.self, at: "record"))
        let list = try await req.network.audit.list(entity: entity, entityID: record,
                                                    page: PageQuery(page: try? req.query.get(Int.self, at: "page"), per: 50))
        let rows = list.items.map { e in
            Row(at: BishkekTime.format(e.at), actor: e.actorLogin, action: req.t("audit.action.\(e.action)"),
                entity: req.t("audit.entity.\(e.entity)"), entityID: e.entityID?.uuidString, onBehalfOf: e.onBehalfOf?.uuidString,
                changes: e.changes.map { Change(field: $0.field, from: $0.from, to: $0.to) })
        }
        return try await req.render("audit/index", title: req.t("audit.title"), IndexPage(
            rows: rows,
            entities: AuditLog.entities.map { Choice(value: $0, label: req.t("audit.entity.\($0)"), selected: $0 == entity) },
            entity: entity ?? "", record: record?.uuidString, pager: list.pager))
    }
}
