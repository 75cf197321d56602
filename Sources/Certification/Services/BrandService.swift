import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct BrandRecord: Sendable, Equatable {
    public let id: UUID
    public let organisationID: UUID
    public let name: String
    public let primaryColour: String
    public let secondaryColour: String
    public let logo: LogoKind?
}

/// Brands owned by producer groups, their logos and colours.
public struct BrandService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static let largestLogo = 512 * 1024

    public func create(_ organisationID: UUID, name: String, primaryColour: String, secondaryColour: String, by actor: Actor) async throws -> BrandRecord {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [DomainError] = []
        if name.isEmpty || name.count > 100 { errors.append(DomainError("certification.brand.name-required", field: "name")) }
        for (colour, field) in [(primaryColour, "primary_colour"), (secondaryColour, "secondary_colour")] where !Self.isColour(colour) {
            errors.append(DomainError("certification.brand.colour-invalid", field: field, arguments: ["value": colour]))
        }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            guard let org = try await Organisation.find(organisationID, on: tx), org.kind == .producerGroup else {
                throw DomainError("certification.product.group-invalid", field: "organisation_id")
            }
            let row = Brand()
            row.organisationID = organisationID
            row.name = name
            row.primaryColour = primaryColour.lowercased()
            row.secondaryColour = secondaryColour.lowercased()
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "brand", entityID: row.id,
                                      changes: [FieldChange(field: "name", from: nil, to: name)])
            return Self.record(row)
        }
    }

    /// `#rrggbb`: the only colour form a label and a page both take as it is.
    static func isColour(_ text: String) -> Bool {
        text.count == 7 && text.hasPrefix("#") && text.dropFirst().allSatisfy(\.isHexDigit)
    }

    public func brand(_ id: UUID) async throws -> BrandRecord {
        guard let row = try await Brand.find(id, on: db) else { throw DomainError.notFound("certification.brand") }
        return Self.record(row)
    }

    public func brands(organisation: UUID? = nil) async throws -> [BrandRecord] {
        let query = Brand.query(on: db)
        if let organisation { query.filter(\.$organisationID == organisation) }
        return try await query.sort(\.$name).all().map(Self.record)
    }

    /// Keeps the brand's logo: a PNG, or an SVG rewritten to drawing only. Judged from the bytes, never the name.
    public func setLogo(_ id: UUID, data: Data, store: FileStore, by actor: Actor) async throws {
        guard data.count <= Self.largestLogo else { throw DomainError("certification.upload.too-large", field: "logo", arguments: ["limit": "512 KB"]) }
        let kind: LogoKind
        let stored: Data
        if FileKind.sniff(data) == .png {
            (kind, stored) = (.png, data)
        } else if let clean = SVGSanitizer.clean(data) {
            (kind, stored) = (.svg, clean)
        } else {
            throw DomainError("certification.upload.not-logo", field: "logo")
        }
        guard try await Brand.find(id, on: db) != nil else { throw DomainError.notFound("certification.brand") }
        try store.write(stored, id: id, ext: kind.rawValue)
        try await db.writeTransaction { tx in
            guard let row = try await Brand.find(id, on: tx) else { throw DomainError.notFound("certification.brand") }
            if let old = row.logoKind, old != kind { store.remove(id, old.rawValue) }
            row.logoKind = kind
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "attach-logo", entity: "brand", entityID: id,
                                      changes: [FieldChange(field: "logo", from: nil, to: kind.rawValue)])
        }
    }

    public func logo(_ id: UUID, store: FileStore) async throws -> (kind: LogoKind, data: Data) {
        guard let row = try await Brand.find(id, on: db), let kind = row.logoKind, let data = store.read(id, kind.rawValue) else {
            throw DomainError.notFound("certification.logo")
        }
        return (kind, data)
    }

    static func record(_ r: Brand) -> BrandRecord {
        BrandRecord(id: r.id!, organisationID: r.organisationID, name: r.name, primaryColour: r.primaryColour,
                    secondaryColour: r.secondaryColour, logo: r.logoKind)
    }
}
