import FluentKit
import Foundation
import Kernel
import SQLKit

public struct PlaceRecord: Sendable, Equatable {
    public let id: UUID
    public let level: PlaceLevel
    public let parentID: UUID?
    public let oblastID: UUID?
    public let districtID: UUID?
    public let code: String?
    public let name: LocalizedName

    init(_ place: Place) {
        self.init(Row(id: place.id!, level: place.level, parent_id: place.parentID, oblast_id: place.oblastID, district_id: place.districtID,
                      code: place.code, name_ky: place.nameKy, name_ru: place.nameRu, name_en: place.nameEn))
    }

    init(_ row: Row) {
        id = row.id
        level = row.level
        parentID = row.parent_id
        oblastID = row.oblast_id
        districtID = row.district_id
        code = row.code
        name = LocalizedName(ky: row.name_ky, ru: row.name_ru, en: row.name_en)
    }

    /// A place as the database holds it, decoded without the model: lists of places (every village of a
    /// country in a select box) spent most of their time in Fluent's reflection of each row.
    struct Row: Decodable {
        let id: UUID
        let level: PlaceLevel
        let parent_id: UUID?
        let oblast_id: UUID?
        let district_id: UUID?
        let code: String?
        let name_ky: String
        let name_ru: String
        let name_en: String

        static func read(on db: any Database, _ query: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [PlaceRecord] {
            try await query((db as! any SQLDatabase).select()
                .columns("id", "level", "parent_id", "oblast_id", "district_id", "code", "name_ky", "name_ru", "name_en").from(Place.schema))
                .all(decoding: Row.self).map(PlaceRecord.init)
        }
    }
}

/// What a form or the API sends to make or change a place.
public struct PlaceDraft: Sendable {
    public var level: PlaceLevel
    public var parentID: UUID?
    public var code: String?
    public var name: LocalizedName

    public init(level: PlaceLevel, parentID: UUID?, code: String? = nil, name: LocalizedName) {
        self.level = level
        self.parentID = parentID
        self.code = code
        self.name = name
    }
}

/// Oblasts, districts, aiyl aimaks and villages.
public struct GeographyService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func list(level: PlaceLevel, parentID: UUID? = nil, districtID: UUID? = nil, q: String? = nil,
                     page: PageQuery) async throws -> Paged<PlaceRecord> {
        let query = Place.query(on: db).filter(\.$level == level)
        if let parentID { query.filter(\.$parentID == parentID) }
        if let districtID { query.filter(\.$districtID == districtID) }
        query.matchingEveryWord(of: q, in: \.$searchKey)
        let total = try await query.count()
        let rows = try await query.sort(\.$nameEn).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(PlaceRecord.init), total: total, request: page)
    }

    /// Every place of a level, for select boxes; sorted by English name so the order is stable.
    public func all(level: PlaceLevel) async throws -> [PlaceRecord] {
        try await PlaceRecord.Row.read(on: db) { $0.where("level", .equal, level.rawValue).orderBy("name_en").orderBy("id") }
    }

    public func get(_ id: UUID) async throws -> PlaceRecord {
        guard let place = try await Place.find(id, on: db) else { throw DomainError.notFound("network.place") }
        return PlaceRecord(place)
    }

    /// Several places at once, to name the places a list refers to without a query per row.
    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: PlaceRecord] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let rows = try await PlaceRecord.Row.read(on: db) { $0.where("id", .in, unique) }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    /// A place and every place above it, from the top: oblast, district, aiyl aimak, village.
    public func path(to id: UUID) async throws -> [PlaceRecord] {
        var path: [PlaceRecord] = []
        var next: UUID? = id
        while let current = next, path.count < PlaceLevel.allCases.count {
            let place = try await get(current)
            path.insert(place, at: 0)
            next = place.parentID
        }
        return path
    }

    public func create(_ draft: PlaceDraft, by actor: Actor) async throws -> PlaceRecord {
        try await db.writeTransaction { tx in
            let place = Place()
            try await Self.apply(draft, to: place, on: tx)
            try await place.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "place", entityID: place.id,
                                      changes: FieldChange.diff([:], Self.snapshot(place)))
            return PlaceRecord(place)
        }
    }

    /// Renames or recodes a place. Its level and parent stay: moving a place would move everything under it.
    public func update(_ id: UUID, _ draft: PlaceDraft, by actor: Actor) async throws -> PlaceRecord {
        try await db.writeTransaction { tx in
            guard let place = try await Place.find(id, on: tx) else { throw DomainError.notFound("network.place") }
            let before = Self.snapshot(place)
            var fixed = draft
            fixed.level = place.level
            fixed.parentID = place.parentID
            try await Self.apply(fixed, to: place, on: tx, existingID: id)
            try await place.save(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "place", entityID: id,
                                      changes: FieldChange.diff(before, Self.snapshot(place)))
            return PlaceRecord(place)
        }
    }

    static func apply(_ draft: PlaceDraft, to place: Place, on db: any Database, existingID: UUID? = nil) async throws {
        var errors: [DomainError] = []
        let ky = Check.required(draft.name.ky, field: "name_ky", code: "network.place", into: &errors)
        let ru = Check.required(draft.name.ru, field: "name_ru", code: "network.place", into: &errors)
        let en = Check.required(draft.name.en, field: "name_en", code: "network.place", into: &errors)
        let code = Check.optional(draft.code, field: "code", code: "network.place", maxLength: 40, into: &errors)
        var parent: Place?
        if let parentLevel = draft.level.parent {
            if let parentID = draft.parentID, let found = try await Place.find(parentID, on: db), found.level == parentLevel {
                parent = found
            } else {
                errors.append(DomainError("network.place.parent-invalid", field: "parent_id",
                                          arguments: ["level": parentLevel.rawValue]))
            }
        }
        if let code {
            let clash = try await Place.query(on: db).filter(\.$code == code).first()
            if let clash, clash.id != existingID {
                errors.append(DomainError("network.place.code-taken", kind: .conflict, field: "code", arguments: ["code": code]))
            }
        }
        try ValidationErrors.throwIfAny(errors)
        place.level = draft.level
        place.parentID = parent?.id
        switch draft.level {
        case .oblast: place.oblastID = nil; place.districtID = nil
        case .district: place.oblastID = parent?.id; place.districtID = nil
        case .aiylAimak: place.oblastID = parent?.oblastID; place.districtID = parent?.id
        case .village: place.oblastID = parent?.oblastID; place.districtID = parent?.districtID
        }
        place.code = code
        place.nameKy = ky
        place.nameRu = ru
        place.nameEn = en
        place.searchKey = Place.searchKey(ky: ky, ru: ru, en: en)
    }

    static func snapshot(_ p: Place) -> [String: String?] {
        ["level": p.level.rawValue, "parent_id": p.parentID?.uuidString, "code": p.code,
         "name_ky": p.nameKy, "name_ru": p.nameRu, "name_en": p.nameEn]
    }
}
