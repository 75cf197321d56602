import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct DocumentDraft: Sendable, Equatable {
    public var type: DocumentType
    public var number: String
    public var registrationNumber: String
    public var applicant: String
    public var manufacturer: String
    public var body: String
    public var laboratory: String
    public var protocolNumber: String
    public var issuedOn: String
    public var expiresOn: String
    public var productIDs: [UUID]
    /// The regulations it attests; none given: every regulation the covered products need a document of this type for.
    public var regulationIDs: [UUID]

    public init(type: DocumentType, number: String, registrationNumber: String = "", applicant: String = "", manufacturer: String = "",
                body: String = "", laboratory: String = "", protocolNumber: String = "", issuedOn: String, expiresOn: String,
                productIDs: [UUID], regulationIDs: [UUID] = []) {
        (self.type, self.number, self.registrationNumber, self.applicant, self.manufacturer) = (type, number, registrationNumber, applicant, manufacturer)
        (self.body, self.laboratory, self.protocolNumber, self.issuedOn, self.expiresOn) = (body, laboratory, protocolNumber, issuedOn, expiresOn)
        (self.productIDs, self.regulationIDs) = (productIDs, regulationIDs)
    }

    func checked() throws -> DocumentDraft {
        var d = self
        for path in [\DocumentDraft.number, \.registrationNumber, \.applicant, \.manufacturer, \.body, \.laboratory, \.protocolNumber,
                     \.issuedOn, \.expiresOn] {
            d[keyPath: path] = String(d[keyPath: path].trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
        }
        d.productIDs = Array(Set(productIDs)).sorted()
        var errors: [DomainError] = []
        if d.number.isEmpty { errors.append(DomainError("certification.document.number-required", field: "number")) }
        let issued = BishkekCalendar.start(of: d.issuedOn)
        let expires = BishkekCalendar.start(of: d.expiresOn)
        if issued == nil { errors.append(DomainError("certification.date-invalid", field: "issued_on", arguments: ["value": d.issuedOn])) }
        if expires == nil { errors.append(DomainError("certification.date-invalid", field: "expires_on", arguments: ["value": d.expiresOn])) }
        if let issued, let expires, expires <= issued { errors.append(DomainError("certification.document.expires-before-issue", field: "expires_on")) }
        if d.productIDs.isEmpty { errors.append(DomainError("certification.document.products-required", field: "product_ids")) }
        try ValidationErrors.throwIfAny(errors)
        return d
    }
}

public struct DocumentRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: DocumentDraft
    public let status: DocumentStatus
    public let replacesID: UUID?
    public let replacedByID: UUID?
    public let hasScan: Bool

    public func isValid(on today: String) -> Bool { status == .registered && draft.issuedOn <= today && today <= draft.expiresOn }
}

/// A document whose expiry is near (or past) and the window it falls in: 0 (expired), 30, 60 or 90 days.
public struct ExpiringDocument: Sendable, Equatable {
    public let document: DocumentRecord
    public let window: Int
}

/// Declarations, certificates and group certificates. A registered document is never edited: a change
/// is a new registration that replaces it; otherwise only its status moves (suspended, terminated).
public struct DocumentService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static let largestScan = 10 * 1024 * 1024

    public func register(_ draft: DocumentDraft, by actor: Actor) async throws -> DocumentRecord {
        let draft = try draft.checked()
        let id = try await db.writeTransaction { tx in try await Self.insert(draft, replacing: nil, on: tx, by: actor) }
        return try await document(id)
    }

    /// Registers the changed document anew and marks the old one replaced, in one transaction.
    public func replace(_ oldID: UUID, with draft: DocumentDraft, by actor: Actor) async throws -> DocumentRecord {
        let draft = try draft.checked()
        let id = try await db.writeTransaction { tx in
            guard let old = try await ConformityDocument.find(oldID, on: tx) else { throw DomainError.notFound("certification.document") }
            guard old.status == .registered || old.status == .suspended else {
                throw DomainError("certification.document.not-current", kind: .conflict, arguments: ["status": old.status.rawValue])
            }
            old.status = .replaced
            try await old.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "replace", entity: "document", entityID: oldID,
                                      changes: [FieldChange(field: "status", from: DocumentStatus.registered.rawValue, to: DocumentStatus.replaced.rawValue)])
            return try await Self.insert(draft, replacing: oldID, on: tx, by: actor)
        }
        return try await document(id)
    }

    static func insert(_ draft: DocumentDraft, replacing: UUID?, on tx: any Database, by actor: Actor) async throws -> UUID {
        let products = try await Product.query(on: tx).filter(\.$id ~~ draft.productIDs).all()
        guard products.count == draft.productIDs.count else { throw DomainError("certification.document.product-invalid", field: "product_ids") }
        var regulations = draft.regulationIDs
        if regulations.isEmpty {
            let rules = try await RegistryService(db: tx).ruleFacts()
            regulations = rules.filter { rule in
                rule.evidence != .label && draft.type.meets(rule.evidence) && products.contains { rule.applies(to: $0.category, organic: $0.organic) }
            }.map(\.regulationID)
        } else if try await Regulation.query(on: tx).filter(\.$id ~~ regulations).count() != Set(regulations).count {
            throw DomainError("certification.document.regulation-invalid", field: "regulation_ids")
        }
        let row = ConformityDocument()
        row.type = draft.type
        row.number = draft.number
        row.registrationNumber = draft.registrationNumber
        row.applicant = draft.applicant
        row.manufacturer = draft.manufacturer
        row.body = draft.body
        row.laboratory = draft.laboratory
        row.protocolNumber = draft.protocolNumber
        row.issuedOn = draft.issuedOn
        row.expiresOn = draft.expiresOn
        row.status = .registered
        row.replacesID = replacing
        try await row.create(on: tx)
        for product in draft.productIDs {
            let link = DocumentProduct()
            link.documentID = row.id!
            link.productID = product
            try await link.create(on: tx)
        }
        for regulation in Set(regulations) {
            let link = DocumentRegulation()
            link.documentID = row.id!
            link.regulationID = regulation
            try await link.create(on: tx)
        }
        try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "document", entityID: row.id, changes: [
            FieldChange(field: "type", from: nil, to: draft.type.rawValue), FieldChange(field: "number", from: nil, to: draft.number),
            FieldChange(field: "expires_on", from: nil, to: draft.expiresOn),
        ])
        return row.id!
    }

    /// Suspends, terminates or reinstates (from suspended) a document.
    public func setStatus(_ id: UUID, _ status: DocumentStatus, by actor: Actor) async throws -> DocumentRecord {
        try await db.writeTransaction { tx in
            guard let row = try await ConformityDocument.find(id, on: tx) else { throw DomainError.notFound("certification.document") }
            let allowed: Bool = switch (row.status, status) {
            case (.registered, .suspended), (.registered, .terminated), (.suspended, .registered), (.suspended, .terminated): true
            default: false
            }
            guard allowed else {
                throw DomainError("certification.document.status-not-allowed", kind: .conflict, field: "status",
                                  arguments: ["from": row.status.rawValue, "to": status.rawValue])
            }
            let before = row.status
            row.status = status
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "document", entityID: id,
                                      changes: [FieldChange(field: "status", from: before.rawValue, to: status.rawValue)])
        }
        return try await document(id)
    }

    public func document(_ id: UUID) async throws -> DocumentRecord {
        guard let row = try await ConformityDocument.find(id, on: db) else { throw DomainError.notFound("certification.document") }
        return try await records([row])[0]
    }

    /// Documents, newest first; those covering any of some products, or of one type, when asked.
    public func documents(covering products: [UUID]? = nil, type: DocumentType? = nil, page: PageQuery) async throws -> Paged<DocumentRecord> {
        let query = ConformityDocument.query(on: db)
        if let products {
            let ids = try await DocumentProduct.query(on: db).filter(\.$productID ~~ products).all().map(\.documentID)
            query.filter(\.$id ~~ ids)
        }
        if let type { query.filter(\.$type == type) }
        let total = try await query.count()
        let rows = try await query.sort(\.$issuedOn, .descending).sort(\.$id).range(page.offset..<page.offset + page.per).all()
        return Paged(items: try await records(rows), total: total, request: page)
    }

    /// Registered documents expiring within 90 days or already past expiry, soonest first, with their window.
    public func expiring(today: String = BishkekCalendar.day(of: Date())) async throws -> [ExpiringDocument] {
        let horizon = BishkekCalendar.adding(days: 90, to: today)
        let rows = try await ConformityDocument.query(on: db).filter(\.$status == .registered).filter(\.$expiresOn <= horizon)
            .sort(\.$expiresOn).all()
        return try await records(rows).compactMap { document in
            Requirements.expiryWindow(expiresOn: document.draft.expiresOn, today: today, calendar: { BishkekCalendar.adding(days: $1, to: $0) })
                .map { ExpiringDocument(document: document, window: $0) }
        }
    }

    /// Documents covering each product, as the requirement and label checks need them.
    func facts(covering products: [UUID]) async throws -> [UUID: [DocumentFact]] {
        let coverage = try await DocumentProduct.query(on: db).filter(\.$productID ~~ products).all()
        let ids = Array(Set(coverage.map(\.documentID)))
        guard !ids.isEmpty else { return [:] }
        let links = try await DocumentRegulation.query(on: db).filter(\.$documentID ~~ ids).all()
        let technical = Set(try await Regulation.query(on: db).filter(\.$kind == .technicalRegulation).all().map(\.id!))
        let facts = Dictionary(uniqueKeysWithValues: try await ConformityDocument.query(on: db).filter(\.$id ~~ ids).all().map { row in
            let regulations = Set(links.filter { $0.documentID == row.id }.map(\.regulationID))
            return (row.id!, DocumentFact(id: row.id!, type: row.type, status: row.status, issuedOn: row.issuedOn, expiresOn: row.expiresOn,
                                          regulationIDs: regulations, underTechnicalRegulation: !regulations.isDisjoint(with: technical)))
        })
        return Dictionary(grouping: coverage, by: \.productID).mapValues { $0.compactMap { facts[$0.documentID] } }
    }

    /// The products and regulations of many documents, read in two queries.
    func records(_ rows: [ConformityDocument]) async throws -> [DocumentRecord] {
        let ids = rows.map { $0.id! }
        guard !ids.isEmpty else { return [] }
        let products = try await DocumentProduct.query(on: db).filter(\.$documentID ~~ ids).all()
        let regulations = try await DocumentRegulation.query(on: db).filter(\.$documentID ~~ ids).all()
        let successors = try await ConformityDocument.query(on: db).filter(\.$replacesID ~~ ids).all()
        return rows.map { r in
            DocumentRecord(
                id: r.id!,
                draft: DocumentDraft(type: r.type, number: r.number, registrationNumber: r.registrationNumber, applicant: r.applicant,
                                     manufacturer: r.manufacturer, body: r.body, laboratory: r.laboratory, protocolNumber: r.protocolNumber,
                                     issuedOn: r.issuedOn, expiresOn: r.expiresOn,
                                     productIDs: products.filter { $0.documentID == r.id }.map(\.productID),
                                     regulationIDs: regulations.filter { $0.documentID == r.id }.map(\.regulationID)),
                status: r.status, replacesID: r.replacesID, replacedByID: successors.first { $0.replacesID == r.id }?.id, hasScan: r.scanBytes != nil)
        }
    }

    // MARK: - Scanned copy

    /// Keeps the scanned copy, a PDF judged from its bytes, under the document's id.
    public func attachScan(_ id: UUID, data: Data, store: FileStore, by actor: Actor) async throws {
        try Self.checkScan(data)
        guard try await ConformityDocument.find(id, on: db) != nil else { throw DomainError.notFound("certification.document") }
        try store.write(data, id: id, ext: "pdf")
        try await db.writeTransaction { tx in
            guard let row = try await ConformityDocument.find(id, on: tx) else { throw DomainError.notFound("certification.document") }
            row.scanBytes = data.count
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "attach-scan", entity: "document", entityID: id,
                                      changes: [FieldChange(field: "scan_bytes", from: nil, to: String(data.count))])
        }
    }

    /// A scanned copy is a PDF, judged from its bytes, of at most 10 MB.
    public static func checkScan(_ data: Data) throws {
        guard data.count <= largestScan else { throw DomainError("certification.upload.too-large", field: "scan", arguments: ["limit": "10 MB"]) }
        guard FileKind.sniff(data) == .pdf else { throw DomainError("certification.upload.not-pdf", field: "scan") }
    }

    public func scan(_ id: UUID, store: FileStore) async throws -> Data {
        guard let row = try await ConformityDocument.find(id, on: db), row.scanBytes != nil, let data = store.read(id, "pdf") else {
            throw DomainError.notFound("certification.scan")
        }
        return data
    }
}
