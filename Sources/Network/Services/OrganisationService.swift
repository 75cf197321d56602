import FluentKit
import Foundation
import Kernel
import SQLKit

public struct OrganisationRecord: Sendable, Equatable, Decodable {
    public let id: UUID
    public let name: String
    public let kind: OrganisationKind
    public let districtID: UUID
    public let villageID: UUID?
    public let address: String?
    public let phone: String?
    public let email: String?
    public let contactPerson: String?
    public let inNetwork: Bool

    init(_ o: Organisation) {
        id = o.id!
        name = o.name
        kind = o.kind
        districtID = o.districtID
        villageID = o.villageID
        address = o.address
        phone = o.phone
        email = o.email
        contactPerson = o.contactPerson
        inNetwork = o.inNetwork
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, kind, address, phone, email
        case districtID = "district_id", villageID = "village_id", contactPerson = "contact_person", inNetwork = "in_network"
    }

    /// Organisations read without the model: the directory lists every one of a country's 2,200, and
    /// Fluent's reflection of each row took most of its time.
    static func read(on db: any Database, _ query: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [OrganisationRecord] {
        try await query((db as! any SQLDatabase).select().columns(CodingKeys.allCases.map(\.rawValue)).from(Organisation.schema))
            .all(decoding: OrganisationRecord.self)
    }
}

public struct OrganisationDraft: Sendable {
    public var name: String
    public var kind: OrganisationKind
    public var districtID: UUID?
    public var villageID: UUID?
    public var address: String?
    public var phone: String?
    public var email: String?
    public var contactPerson: String?
    public var inNetwork: Bool

    public init(name: String, kind: OrganisationKind, districtID: UUID?, villageID: UUID? = nil, address: String? = nil,
                phone: String? = nil, email: String? = nil, contactPerson: String? = nil, inNetwork: Bool) {
        self.name = name
        self.kind = kind
        self.districtID = districtID
        self.villageID = villageID
        self.address = address
        self.phone = phone
        self.email = email
        self.contactPerson = contactPerson
        self.inNetwork = inNetwork
    }
}

public struct OrganisationFilter: Sendable {
    public var q: String?
    public var kind: OrganisationKind?
    public var districtID: UUID?
    public var inNetwork: Bool?

    public init(q: String? = nil, kind: OrganisationKind? = nil, districtID: UUID? = nil, inNetwork: Bool? = nil) {
        self.q = q
        self.kind = kind
        self.districtID = districtID
        self.inNetwork = inNetwork
    }
}

/// The organisations of the network and the partners around it.
public struct OrganisationService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func list(_ filter: OrganisationFilter = .init(), page: PageQuery) async throws -> Paged<OrganisationRecord> {
        let query = Organisation.query(on: db)
        query.matchingEveryWord(of: filter.q, in: \.$searchKey)
        if let kind = filter.kind { query.filter(\.$kind == kind) }
        if let districtID = filter.districtID { query.filter(\.$districtID == districtID) }
        if let inNetwork = filter.inNetwork { query.filter(\.$inNetwork == inNetwork) }
        let total = try await query.count()
        let rows = try await query.sort(\.$name).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(OrganisationRecord.init), total: total, request: page)
    }

    public func all() async throws -> [OrganisationRecord] {
        try await OrganisationRecord.read(on: db) { $0.orderBy("name").orderBy("id") }
    }

    /// The districts each kind of organisation of the network works in: a few rows grouped by the
    /// database, where reading every organisation of a country took a tenth of the dashboard's time.
    public func districtsByKind() async throws -> [OrganisationKind: Set<UUID>] {
        try await (db as! any SQLDatabase).raw("SELECT DISTINCT kind, district_id FROM organisations WHERE in_network = \(bind: true)").all()
            .reduce(into: [:]) { map, row in
                map[try row.decode(column: "kind", as: OrganisationKind.self), default: []].insert(try row.decode(column: "district_id", as: UUID.self))
            }
    }

    public func get(_ id: UUID) async throws -> OrganisationRecord {
        guard let o = try await Organisation.find(id, on: db) else { throw DomainError.notFound("network.organisation") }
        return OrganisationRecord(o)
    }

    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: OrganisationRecord] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await OrganisationRecord.read(on: db) { $0.where("id", .in, unique) }.map { ($0.id, $0) })
    }

    public func create(_ draft: OrganisationDraft, by actor: Actor) async throws -> OrganisationRecord {
        try await db.writeTransaction { tx in
            let o = Organisation()
            try await Self.apply(draft, to: o, on: tx)
            try await o.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "organisation", entityID: o.id,
                                      changes: FieldChange.diff([:], Self.snapshot(o)))
            return OrganisationRecord(o)
        }
    }

    public func update(_ id: UUID, _ draft: OrganisationDraft, by actor: Actor) async throws -> OrganisationRecord {
        try await db.writeTransaction { tx in
            guard let o = try await Organisation.find(id, on: tx) else { throw DomainError.notFound("network.organisation") }
            let before = Self.snapshot(o)
            try await Self.apply(draft, to: o, on: tx)
            try await o.save(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "organisation", entityID: id,
                                      changes: FieldChange.diff(before, Self.snapshot(o)))
            return OrganisationRecord(o)
        }
    }

    static func apply(_ draft: OrganisationDraft, to o: Organisation, on db: any Database) async throws {
        var errors: [DomainError] = []
        let code = "network.organisation"
        let name = Check.required(draft.name, field: "name", code: code, into: &errors)
        let address = Check.optional(draft.address, field: "address", code: code, maxLength: 300, into: &errors)
        let contact = Check.optional(draft.contactPerson, field: "contact_person", code: code, into: &errors)
        let email = Check.optional(draft.email, field: "email", code: code, maxLength: 200, into: &errors)
        if let email, !Self.looksLikeEmail(email) {
            errors.append(DomainError("\(code).email-invalid", field: "email"))
        }
        var phone: String?
        if let raw = Check.optional(draft.phone, field: "phone", code: code, into: &errors) {
            if let digits = PhoneNumber.normalise(raw) { phone = PhoneNumber.display(digits) }
            else { errors.append(DomainError("\(code).phone-invalid", field: "phone")) }
        }
        let district = try await draft.districtID.asyncFlatMap { try await Place.find($0, on: db) }
        if district?.level != .district {
            errors.append(DomainError("\(code).district-invalid", field: "district_id"))
        }
        if let villageID = draft.villageID {
            let village = try await Place.find(villageID, on: db)
            if village?.level != .village || (district != nil && village?.districtID != district?.id) {
                errors.append(DomainError("\(code).village-invalid", field: "village_id"))
            }
        }
        try ValidationErrors.throwIfAny(errors)
        o.name = name
        o.searchKey = SearchKey.fold(name)
        o.kind = draft.kind
        o.districtID = district!.id!
        o.villageID = draft.villageID
        o.address = address
        o.phone = phone
        o.email = email
        o.contactPerson = contact
        o.inNetwork = draft.inNetwork
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
    }

    static func snapshot(_ o: Organisation) -> [String: String?] {
        ["name": o.name, "kind": o.kind.rawValue, "district_id": o.districtID.uuidString,
         "village_id": o.villageID?.uuidString, "address": o.address, "phone": o.phone, "email": o.email,
         "contact_person": o.contactPerson, "in_network": String(o.inNetwork)]
    }
}

extension Optional {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
