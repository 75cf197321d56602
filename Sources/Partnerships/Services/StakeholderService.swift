import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// What a user types for a stakeholder.
public struct StakeholderDraft: Sendable, Equatable {
    public var name: String
    public var isPerson: Bool
    public var sector: Sector
    public var organisationID: UUID?
    public var districtID: UUID?
    public var role: String
    public var influence: Int
    public var interest: Int
    public var activities: String
    public var inputs: [Input]
    public var strategy: String
    public var contact: String

    public init(name: String, isPerson: Bool = false, sector: Sector, organisationID: UUID? = nil, districtID: UUID? = nil, role: String = "",
                influence: Int, interest: Int, activities: String = "", inputs: [Input] = [], strategy: String = "", contact: String = "") {
        self.name = name
        self.isPerson = isPerson
        self.sector = sector
        self.organisationID = organisationID
        self.districtID = districtID
        self.role = role
        self.influence = influence
        self.interest = interest
        self.activities = activities
        self.inputs = inputs
        self.strategy = strategy
        self.contact = contact
    }
}

public struct StakeholderRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: StakeholderDraft
    public var quadrant: GridQuadrant { GridQuadrant(influence: draft.influence, interest: draft.interest) }
}

/// The stakeholder map: who the actors around the network are, and where each stands.
public struct StakeholderService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func create(_ draft: StakeholderDraft, by actor: Actor) async throws -> StakeholderRecord {
        let draft = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            try await Self.checkLinks(draft, on: tx)
            let row = Stakeholder()
            Self.apply(draft, to: row)
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "stakeholder", entityID: row.id,
                                      changes: Self.changes(from: nil, to: draft))
            return Self.record(row)
        }
    }

    public func update(_ id: UUID, _ draft: StakeholderDraft, by actor: Actor) async throws -> StakeholderRecord {
        let draft = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            guard let row = try await Stakeholder.find(id, on: tx) else { throw DomainError.notFound("partnerships.stakeholder") }
            try await Self.checkLinks(draft, on: tx)
            let before = Self.record(row).draft
            Self.apply(draft, to: row)
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "stakeholder", entityID: id,
                                      changes: Self.changes(from: before, to: draft))
            return Self.record(row)
        }
    }

    public func stakeholder(_ id: UUID) async throws -> StakeholderRecord {
        guard let row = try await Stakeholder.find(id, on: db) else { throw DomainError.notFound("partnerships.stakeholder") }
        return Self.record(row)
    }

    /// The map, by name; filtered by sector when asked.
    public func stakeholders(sector: Sector? = nil, page: PageQuery) async throws -> Paged<StakeholderRecord> {
        let query = Stakeholder.query(on: db).sort(\.$name)
        if let sector { query.filter(\.$sector == sector) }
        let total = try await query.count()
        let rows = try await query.range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(Self.record), total: total, request: page)
    }

    /// Every stakeholder, for the grid and for choosing an agreement's parties.
    public func all() async throws -> [StakeholderRecord] {
        try await Stakeholder.query(on: db).sort(\.$name).all().map(Self.record)
    }

    // MARK: -

    static func checked(_ draft: StakeholderDraft) throws -> StakeholderDraft {
        var d = draft
        d.name = d.name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [DomainError] = []
        if d.name.isEmpty { errors.append(DomainError("partnerships.stakeholder.name-required", field: "name")) }
        if d.name.count > 200 { errors.append(DomainError("partnerships.stakeholder.name-too-long", field: "name")) }
        if !(1...5).contains(d.influence) { errors.append(DomainError("partnerships.stakeholder.scale", field: "influence")) }
        if !(1...5).contains(d.interest) { errors.append(DomainError("partnerships.stakeholder.scale", field: "interest")) }
        try ValidationErrors.throwIfAny(errors)
        d.inputs = Input.allCases.filter(d.inputs.contains)
        return d
    }

    static func checkLinks(_ draft: StakeholderDraft, on db: any Database) async throws {
        if let org = draft.organisationID, try await Organisation.find(org, on: db) == nil {
            throw DomainError("partnerships.stakeholder.organisation-unknown", field: "organisation_id")
        }
        if let district = draft.districtID, try await Place.find(district, on: db)?.level != .district {
            throw DomainError("partnerships.district-unknown", field: "district_id")
        }
    }

    static func apply(_ d: StakeholderDraft, to row: Stakeholder) {
        (row.name, row.isPerson, row.sector, row.organisationID, row.districtID) = (d.name, d.isPerson, d.sector, d.organisationID, d.districtID)
        (row.role, row.influence, row.interest, row.activities) = (d.role, d.influence, d.interest, d.activities)
        (row.inputs, row.strategy, row.contact) = (d.inputs.map(\.rawValue).joined(separator: " "), d.strategy, d.contact)
    }

    static func record(_ row: Stakeholder) -> StakeholderRecord {
        StakeholderRecord(id: row.id!, draft: StakeholderDraft(
            name: row.name, isPerson: row.isPerson, sector: row.sector, organisationID: row.organisationID, districtID: row.districtID,
            role: row.role, influence: row.influence, interest: row.interest, activities: row.activities,
            inputs: row.inputs.split(separator: " ").compactMap { Input(rawValue: String($0)) }, strategy: row.strategy, contact: row.contact))
    }

    static func changes(from before: StakeholderDraft?, to after: StakeholderDraft) -> [FieldChange] {
        let fields: [(String, (StakeholderDraft) -> String)] = [
            ("name", \.name), ("sector", \.sector.rawValue), ("role", \.role), ("influence", { String($0.influence) }),
            ("interest", { String($0.interest) }), ("inputs", { $0.inputs.map(\.rawValue).joined(separator: " ") }), ("strategy", \.strategy),
        ]
        return fields.compactMap { name, value in
            let old = before.map(value), new = value(after)
            return old == new ? nil : FieldChange(field: name, from: old, to: new)
        }
    }
}
