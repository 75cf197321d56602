import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// The map from a survey's needs to the services that answer them, as coordinators keep it.
public struct NeedCoverageService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Each need of the form with its answers; a need with none is absent. Unreadable codes (a
    /// category since removed) are skipped.
    public func mapping(formKey: String) async throws -> [String: Set<ServiceReference>] {
        try await NeedService.query(on: db).filter(\.$formKey == formKey).all()
            .reduce(into: [:]) { map, row in
                if let reference = ServiceReference(code: row.reference) { map[row.need, default: []].insert(reference) }
            }
    }

    /// Replaces the answers to one need, in one transaction, with the change in the audit log.
    public func setAnswers(formKey: String, need: String, to references: Set<ServiceReference>, by actor: Actor) async throws {
        let need = need.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !need.isEmpty, !formKey.isEmpty else { throw DomainError("partnerships.need.required", field: "need") }
        try await db.writeTransaction { tx in
            let existing = try await NeedService.query(on: tx).filter(\.$formKey == formKey).filter(\.$need == need).all()
            let before = Set(existing.map(\.reference)), after = Set(references.map(\.code))
            guard before != after else { return }
            try await NeedService.query(on: tx).filter(\.$formKey == formKey).filter(\.$need == need).delete()
            for reference in references.sorted(by: { $0.code < $1.code }) {
                try await NeedService(formKey: formKey, need: need, reference: reference).create(on: tx)
            }
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "need_services", entityID: nil, changes: [
                FieldChange(field: "\(formKey).\(need)", from: before.sorted().joined(separator: " "), to: after.sorted().joined(separator: " ")),
            ])
        }
    }
}
