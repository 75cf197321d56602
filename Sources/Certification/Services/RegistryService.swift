import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct RegulationRecord: Sendable, Equatable {
    public let id: UUID
    public let code: String
    public let kind: RegulationKind
    public let titleKy: String
    public let titleRu: String
    public let titleEn: String
    public let rules: [RuleFact]

    public func title(_ language: String) -> String {
        switch language {
        case "ky": titleKy
        case "ru": titleRu
        default: titleEn
        }
    }
}

public struct RegulationDraft: Sendable {
    public var code: String
    public var kind: RegulationKind
    public var titleKy: String
    public var titleRu: String
    public var titleEn: String
    public var category: ProductCategory?
    public var evidence: Evidence
    public var mandatory: Bool

    public init(code: String, kind: RegulationKind, titleKy: String, titleRu: String, titleEn: String, category: ProductCategory?,
                evidence: Evidence, mandatory: Bool) {
        (self.code, self.kind, self.titleKy, self.titleRu, self.titleEn) = (code, kind, titleKy, titleRu, titleEn)
        (self.category, self.evidence, self.mandatory) = (category, evidence, mandatory)
    }
}

/// The registry of standards, technical regulations and laws, and which products each applies to.
public struct RegistryService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func regulations() async throws -> [RegulationRecord] {
        let rules = try await ruleFacts()
        return try await Regulation.query(on: db).sort(\.$code).all().map { r in
            RegulationRecord(id: r.id!, code: r.code, kind: r.kind, titleKy: r.titleKy, titleRu: r.titleRu, titleEn: r.titleEn,
                             rules: rules.filter { $0.regulationID == r.id })
        }
    }

    /// Every rule with its regulation, in the registry's order: technical regulations first, then by code.
    public func ruleFacts() async throws -> [RuleFact] {
        let regulations = Dictionary(uniqueKeysWithValues: try await Regulation.query(on: db).all().map { ($0.id!, $0) })
        return try await RegulationRule.query(on: db).all().compactMap { rule in
            regulations[rule.regulationID].map {
                RuleFact(regulationID: rule.regulationID, code: $0.code, kind: $0.kind, category: rule.category, foodOnly: rule.foodOnly,
                         organicOnly: rule.organicOnly, evidence: rule.evidence, mandatory: rule.mandatory)
            }
        }.sorted { ($0.kind != .technicalRegulation ? 1 : 0, $0.code) < ($1.kind != .technicalRegulation ? 1 : 0, $1.code) }
    }

    /// Adds a regulation (a national standard, a new technical regulation) with the rule that says to what it applies.
    public func add(_ draft: RegulationDraft, by actor: Actor) async throws -> RegulationRecord {
        let code = draft.code.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [DomainError] = []
        if code.isEmpty || code.count > 80 { errors.append(DomainError("certification.regulation.code-required", field: "code")) }
        if [draft.titleKy, draft.titleRu, draft.titleEn].allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            errors.append(DomainError("certification.regulation.title-required", field: "title_ru"))
        }
        try ValidationErrors.throwIfAny(errors)
        let id = try await db.writeTransaction { tx in
            if try await Regulation.query(on: tx).filter(\.$code == code).first() != nil {
                throw DomainError("certification.regulation.code-taken", kind: .conflict, field: "code")
            }
            let row = Regulation()
            row.code = code
            row.kind = draft.kind
            row.titleKy = draft.titleKy.trimmingCharacters(in: .whitespaces)
            row.titleRu = draft.titleRu.trimmingCharacters(in: .whitespaces)
            row.titleEn = draft.titleEn.trimmingCharacters(in: .whitespaces)
            try await row.create(on: tx)
            let rule = RegulationRule()
            rule.regulationID = row.id!
            rule.category = draft.category
            rule.foodOnly = false
            rule.organicOnly = false
            rule.evidence = draft.evidence
            rule.mandatory = draft.mandatory
            try await rule.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "regulation", entityID: row.id, changes: [
                FieldChange(field: "code", from: nil, to: code),
            ])
            return row.id!
        }
        return try await regulations().first { $0.id == id }!
    }
}
