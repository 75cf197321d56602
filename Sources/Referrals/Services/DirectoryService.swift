import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct HelpServiceRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: HelpServiceDraft
    public let fromAgreement: Bool
}

public struct HelpServiceDraft: Sendable, Equatable {
    public var organisationID: UUID?
    public var provider: String
    public var kind: HelpServiceKind
    public var districtIDs: [UUID]
    public var languages: [String]
    public var womanStaff: Bool
    public var hours: String
    public var contact: String
    public var capacity: Int?
    public var active: Bool

    public init(organisationID: UUID?, provider: String, kind: HelpServiceKind, districtIDs: [UUID], languages: [String] = ["ky", "ru"],
                womanStaff: Bool = true, hours: String = "", contact: String = "", capacity: Int? = nil, active: Bool = true) {
        (self.organisationID, self.provider, self.kind, self.districtIDs, self.languages) = (organisationID, provider, kind, districtIDs, languages)
        (self.womanStaff, self.hours, self.contact, self.capacity, self.active) = (womanStaff, hours, contact, capacity, active)
    }
}

/// A service a partner agreed to deliver in a district, as the Partnerships context lists it: the App
/// hands these over so they appear in the directory (this context never reads another's tables).
public struct PartnerServiceFact: Sendable {
    public let partnerServiceID: UUID
    public let organisationID: UUID?
    public let provider: String
    public let kind: HelpServiceKind
    public let districtID: UUID
    public let contact: String

    public init(partnerServiceID: UUID, organisationID: UUID?, provider: String, kind: HelpServiceKind, districtID: UUID, contact: String) {
        (self.partnerServiceID, self.organisationID, self.provider, self.kind, self.districtID, self.contact) =
            (partnerServiceID, organisationID, provider, kind, districtID, contact)
    }
}

/// The directory of specialised services: who helps with what, where, in which languages.
public struct DirectoryService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Services, by kind and district when asked, providers in name order.
    public func services(kind: HelpServiceKind? = nil, district: UUID? = nil, activeOnly: Bool = false) async throws -> [HelpServiceRecord] {
        let query = HelpService.query(on: db).sort(\.$provider).sort(\.$id)
        if let kind { query.filter(\.$kind == kind) }
        if activeOnly { query.filter(\.$active == true) }
        return try await query.all().map(Self.record).filter { district == nil || $0.draft.districtIDs.contains(district!) }
    }

    public func service(_ id: UUID) async throws -> HelpServiceRecord {
        guard let row = try await HelpService.find(id, on: db) else { throw DomainError.notFound("referrals.service") }
        return Self.record(row)
    }

    public func create(_ draft: HelpServiceDraft, by actor: Actor) async throws -> HelpServiceRecord {
        let d = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            let row = HelpService()
            Self.apply(d, to: row)
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "referral_service", entityID: row.id,
                                      changes: [FieldChange(field: "kind", from: nil, to: d.kind.rawValue)])
            return Self.record(row)
        }
    }

    public func update(_ id: UUID, _ draft: HelpServiceDraft, by actor: Actor) async throws -> HelpServiceRecord {
        let d = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            guard let row = try await HelpService.find(id, on: tx) else { throw DomainError.notFound("referrals.service") }
            let before = Self.record(row).draft
            Self.apply(d, to: row)
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "referral_service", entityID: id,
                                      changes: before.active == d.active ? [] : [FieldChange(field: "active", from: String(before.active), to: String(d.active))])
            return Self.record(row)
        }
    }

    /// Brings the partners' services into the directory: one entry per agreement service, added when
    /// new, switched off when its agreement is no longer in force. Entries staff added stay as they are.
    public func syncPartnerServices(_ facts: [PartnerServiceFact]) async throws {
        try await db.writeTransaction { tx in
            let existing = try await HelpService.query(on: tx).filter(\.$partnerServiceID != nil).all()
            let byPartner = Dictionary(existing.map { ($0.partnerServiceID!, $0) }, uniquingKeysWith: { first, _ in first })
            let current = Set(facts.map(\.partnerServiceID))
            for fact in facts where byPartner[fact.partnerServiceID] == nil {
                let row = HelpService()
                Self.apply(HelpServiceDraft(organisationID: fact.organisationID, provider: fact.provider, kind: fact.kind, districtIDs: [fact.districtID],
                                            womanStaff: false, contact: fact.contact), to: row)
                row.partnerServiceID = fact.partnerServiceID
                try await row.create(on: tx)
            }
            for row in existing where row.active != current.contains(row.partnerServiceID!) {
                row.active = current.contains(row.partnerServiceID!)
                try await row.update(on: tx)
            }
        }
    }

    static func checked(_ draft: HelpServiceDraft) throws -> HelpServiceDraft {
        var d = draft
        d.provider = d.provider.trimmingCharacters(in: .whitespacesAndNewlines)
        d.hours = d.hours.trimmingCharacters(in: .whitespacesAndNewlines)
        d.contact = d.contact.trimmingCharacters(in: .whitespacesAndNewlines)
        d.languages = d.languages.filter { ["ky", "ru", "en", "uz"].contains($0) }
        var problems: [DomainError] = []
        if d.provider.isEmpty { problems.append(DomainError("referrals.service.provider-required", field: "provider")) }
        if d.districtIDs.isEmpty { problems.append(DomainError("referrals.service.district-required", field: "districts")) }
        if let capacity = d.capacity, capacity < 0 { problems.append(DomainError("referrals.service.capacity-invalid", field: "capacity")) }
        try ValidationErrors.throwIfAny(problems)
        return d
    }

    static func apply(_ d: HelpServiceDraft, to row: HelpService) {
        row.organisationID = d.organisationID
        row.provider = d.provider
        row.kind = d.kind
        row.districts = d.districtIDs.map { $0.uuidString.lowercased() }.joined(separator: " ")
        row.languages = d.languages.joined(separator: " ")
        (row.womanStaff, row.hours, row.contact, row.capacity, row.active) = (d.womanStaff, d.hours, d.contact, d.capacity, d.active)
    }

    static func record(_ row: HelpService) -> HelpServiceRecord {
        HelpServiceRecord(id: row.id!, draft: HelpServiceDraft(
            organisationID: row.organisationID, provider: row.provider, kind: row.kind,
            districtIDs: row.districts.split(separator: " ").compactMap { UUID(uuidString: String($0)) },
            languages: row.languages.split(separator: " ").map(String.init), womanStaff: row.womanStaff, hours: row.hours,
            contact: row.contact, capacity: row.capacity, active: row.active), fromAgreement: row.partnerServiceID != nil)
    }

    static func facts(_ record: HelpServiceRecord) -> ServiceFacts {
        ServiceFacts(id: record.id, kind: record.draft.kind, districtIDs: Set(record.draft.districtIDs), languages: Set(record.draft.languages),
                     womanStaff: record.draft.womanStaff, active: record.draft.active)
    }
}
