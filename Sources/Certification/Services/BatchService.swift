import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct BatchRecord: Sendable, Equatable {
    public let id: UUID
    public let productID: UUID
    public let batchNumber: String
    public let producedOn: String
    public let bestBefore: String
    public let code: String

    init(_ b: Batch) {
        (id, productID, batchNumber, producedOn, bestBefore, code) = (b.id!, b.productID, b.batchNumber, b.producedOn, b.bestBefore, b.code)
    }
}

/// What the public page of a batch shows: never a woman's name unless she agreed.
public struct PublicBatch: Sendable {
    public let batch: BatchRecord
    public let product: ProductRecord
    public let groupName: String
    public let village: PlaceRecord?
    public let district: PlaceRecord?
    /// The maker, only when she agreed to be named.
    public let maker: String?
    /// Documents covering the product that are not replaced, and whether each is valid today.
    public let documents: [(document: DocumentRecord, valid: Bool)]
    /// Every mandatory document the product needs is valid today.
    public let documentsValid: Bool
    public let brand: BrandRecord?
}

/// Batches of a product and the short codes that trace them.
public struct BatchService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Records a batch with a new traceability code. Without a best-before date, the product's shelf life gives it.
    public func create(_ productID: UUID, batchNumber: String, producedOn: String, bestBefore: String?, by actor: Actor) async throws -> BatchRecord {
        let number = batchNumber.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let product = try await Product.find(productID, on: db) else { throw DomainError.notFound("certification.product") }
        var errors: [DomainError] = []
        if number.isEmpty || number.count > 40 { errors.append(DomainError("certification.batch.number-required", field: "batch_number")) }
        if BishkekCalendar.start(of: producedOn) == nil {
            errors.append(DomainError("certification.date-invalid", field: "produced_on", arguments: ["value": producedOn]))
        } else if producedOn > BishkekCalendar.day(of: Date()) {
            errors.append(DomainError("certification.batch.produced-in-future", field: "produced_on"))
        }
        let until = bestBefore.flatMap { $0.isEmpty ? nil : $0 } ?? product.shelfLifeDays.map { BishkekCalendar.adding(days: $0, to: producedOn) }
        if let until {
            if BishkekCalendar.start(of: until) == nil {
                errors.append(DomainError("certification.date-invalid", field: "best_before", arguments: ["value": until]))
            } else if until < producedOn {
                errors.append(DomainError("certification.batch.best-before-early", field: "best_before"))
            }
        } else if product.category.isFood {
            errors.append(DomainError("certification.batch.best-before-required", field: "best_before"))
        }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            if try await Batch.query(on: tx).filter(\.$productID == productID).filter(\.$batchNumber == number).first() != nil {
                throw DomainError("certification.batch.number-taken", kind: .conflict, field: "batch_number")
            }
            var generator = SystemRandomNumberGenerator()
            var code = TraceCode.make(using: &generator)
            while try await Batch.query(on: tx).filter(\.$code == code).first() != nil { code = TraceCode.make(using: &generator) }
            let row = Batch()
            row.productID = productID
            row.batchNumber = number
            row.producedOn = producedOn
            row.bestBefore = until ?? ""
            row.code = code
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "batch", entityID: row.id, changes: [
                FieldChange(field: "batch_number", from: nil, to: number), FieldChange(field: "code", from: nil, to: code),
            ])
            return BatchRecord(row)
        }
    }

    public func batch(_ id: UUID) async throws -> BatchRecord {
        guard let row = try await Batch.find(id, on: db) else { throw DomainError.notFound("certification.batch") }
        return BatchRecord(row)
    }

    /// A product's batches, the latest made first.
    public func batches(of productID: UUID) async throws -> [BatchRecord] {
        try await Batch.query(on: db).filter(\.$productID == productID).sort(\.$producedOn, .descending).sort(\.$createdAt, .descending)
            .all().map(BatchRecord.init)
    }

    /// The public view of a batch by its code; not found for a code that is not one.
    public func publicBatch(_ code: String, today: String = BishkekCalendar.day(of: Date())) async throws -> PublicBatch {
        let code = code.uppercased()
        guard TraceCode.isWellFormed(code), let row = try await Batch.query(on: db).filter(\.$code == code).first() else {
            throw DomainError.notFound("certification.batch")
        }
        let products = ProductService(db: db)
        let product = try await products.product(row.productID)
        let group = try await OrganisationService(db: db).get(product.draft.organisationID)
        let places = try await GeographyService(db: db).lookup([group.villageID, group.districtID].compactMap { $0 })
        var maker: String?
        if let person = product.draft.personID, product.draft.makerShown {
            maker = try await PeopleService(db: db).lookup([person])[person]?.fullName
        }
        let documents = try await DocumentService(db: db).documents(covering: [product.id], page: PageQuery(page: 1, per: 50)).items
            .filter { $0.status != .replaced }
        let requirements = try await products.requirements(product.id, today: today)
        var brand: BrandRecord?
        if let brandID = product.draft.brandID { brand = try await BrandService(db: db).brand(brandID) }
        return PublicBatch(
            batch: BatchRecord(row), product: product, groupName: group.name, village: group.villageID.flatMap { places[$0] },
            district: places[group.districtID], maker: maker, documents: documents.map { ($0, $0.isValid(on: today)) },
            documentsValid: !requirements.requirements.contains { $0.rule.mandatory && $0.rule.evidence != .label && !$0.met },
            brand: brand)
    }
}
