import Foundation

/// A rule of the registry as the requirements check needs it.
public struct RuleFact: Sendable, Equatable {
    public let regulationID: UUID
    public let code: String
    public let kind: RegulationKind
    public let category: ProductCategory?
    public let foodOnly: Bool
    public let organicOnly: Bool
    public let evidence: Evidence
    public let mandatory: Bool

    public init(regulationID: UUID, code: String, kind: RegulationKind, category: ProductCategory?, foodOnly: Bool, organicOnly: Bool,
                evidence: Evidence, mandatory: Bool) {
        (self.regulationID, self.code, self.kind, self.category) = (regulationID, code, kind, category)
        (self.foodOnly, self.organicOnly, self.evidence, self.mandatory) = (foodOnly, organicOnly, evidence, mandatory)
    }

    public func applies(to category: ProductCategory, organic: Bool) -> Bool {
        (self.category == nil || self.category == category) && (!foodOnly || category.isFood) && (!organicOnly || organic)
    }
}

/// A document covering the product, as the requirements check needs it.
public struct DocumentFact: Sendable, Equatable {
    public let id: UUID
    public let type: DocumentType
    public let status: DocumentStatus
    public let issuedOn: String
    public let expiresOn: String
    public let regulationIDs: Set<UUID>
    /// It attests at least one technical regulation of the Union: the ground for the EAC mark.
    public let underTechnicalRegulation: Bool

    public init(id: UUID, type: DocumentType, status: DocumentStatus, issuedOn: String, expiresOn: String, regulationIDs: Set<UUID>,
                underTechnicalRegulation: Bool) {
        (self.id, self.type, self.status, self.issuedOn, self.expiresOn) = (id, type, status, issuedOn, expiresOn)
        (self.regulationIDs, self.underTechnicalRegulation) = (regulationIDs, underTechnicalRegulation)
    }

    /// Registered, already issued and not yet expired on `today` (calendar days, yyyy-MM-dd).
    public func isValid(on today: String) -> Bool {
        status == .registered && issuedOn <= today && today <= expiresOn
    }
}

/// What one regulation asks of a product, and whether it is met.
public struct Requirement: Sendable, Equatable {
    public let rule: RuleFact
    /// The valid document that meets it, if one does.
    public let documentID: UUID?
    /// For a label rule: the mandatory label fields still missing.
    public let missingFields: [LabelField]

    public var met: Bool { rule.evidence == .label ? missingFields.isEmpty : documentID != nil }
}

public enum Requirements {
    /// Every rule that applies to the product, met or not, mandatory first, in the registry's order.
    public static func evaluate(category: ProductCategory, organic: Bool, rules: [RuleFact], documents: [DocumentFact],
                                labelMissing: [LabelField], today: String) -> [Requirement] {
        let valid = documents.filter { $0.isValid(on: today) }
        return rules.filter { $0.applies(to: category, organic: organic) }.map { rule in
            if rule.evidence == .label { return Requirement(rule: rule, documentID: nil, missingFields: labelMissing) }
            let document = valid.first { $0.type.meets(rule.evidence) && $0.regulationIDs.contains(rule.regulationID) }
            return Requirement(rule: rule, documentID: document?.id, missingFields: [])
        }.sorted { $0.rule.mandatory && !$1.rule.mandatory }
    }

    /// The EAC mark may be printed only while a valid declaration or certificate under a technical regulation covers the product.
    public static func mayCarryEAC(_ documents: [DocumentFact], today: String) -> Bool {
        documents.contains { $0.isValid(on: today) && $0.type != .pgsCertificate && $0.underTechnicalRegulation }
    }

    /// The window a document's expiry falls in: 30, 60 or 90 days from today; 0 when already past; nil beyond 90 days.
    public static func expiryWindow(expiresOn: String, today: String, calendar: (String, Int) -> String) -> Int? {
        if expiresOn < today { return 0 }
        return [30, 60, 90].first { expiresOn <= calendar(today, $0) }
    }
}
