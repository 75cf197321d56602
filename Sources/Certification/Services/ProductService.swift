import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct ProductDraft: Sendable, Equatable {
    public var organisationID: UUID
    public var personID: UUID?
    public var makerShown: Bool
    public var nameKy: String
    public var nameRu: String
    public var category: ProductCategory
    public var hsCode: String
    public var compositionKy: String
    public var compositionRu: String
    public var netQuantity: Int?
    public var netUnit: NetUnit
    public var shelfLifeDays: Int?
    public var storageKy: String
    public var storageRu: String
    public var organic: Bool
    public var brandID: UUID?

    public init(organisationID: UUID, personID: UUID? = nil, makerShown: Bool = false, nameKy: String, nameRu: String, category: ProductCategory,
                hsCode: String = "", compositionKy: String = "", compositionRu: String = "", netQuantity: Int? = nil, netUnit: NetUnit = .g,
                shelfLifeDays: Int? = nil, storageKy: String = "", storageRu: String = "", organic: Bool = false, brandID: UUID? = nil) {
        (self.organisationID, self.personID, self.makerShown, self.nameKy, self.nameRu) = (organisationID, personID, makerShown, nameKy, nameRu)
        (self.category, self.hsCode, self.compositionKy, self.compositionRu) = (category, hsCode, compositionKy, compositionRu)
        (self.netQuantity, self.netUnit, self.shelfLifeDays, self.storageKy, self.storageRu) = (netQuantity, netUnit, shelfLifeDays, storageKy, storageRu)
        (self.organic, self.brandID) = (organic, brandID)
    }

    /// Trimmed, checked; every problem at once.
    func checked() throws -> ProductDraft {
        var d = self
        for path in [\ProductDraft.nameKy, \.nameRu, \.compositionKy, \.compositionRu, \.storageKy, \.storageRu] {
            d[keyPath: path] = d[keyPath: path].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        d.hsCode = hsCode.filter { !$0.isWhitespace }
        var errors: [DomainError] = []
        if d.nameKy.isEmpty && d.nameRu.isEmpty { errors.append(DomainError("certification.product.name-required", field: "name_ru")) }
        if d.nameKy.count > 200 || d.nameRu.count > 200 { errors.append(DomainError("certification.product.name-too-long", field: "name_ru")) }
        // A TN VED (HS) code: the heading's 4 digits, or 6, 8 or the full 10.
        if !d.hsCode.isEmpty && !([4, 6, 8, 10].contains(d.hsCode.count) && d.hsCode.allSatisfy(\.isASCII) && d.hsCode.allSatisfy(\.isNumber)) {
            errors.append(DomainError("certification.product.hs-code-invalid", field: "hs_code"))
        }
        if let n = d.netQuantity, n <= 0 || n > 1_000_000 { errors.append(DomainError("certification.product.quantity-invalid", field: "net_quantity")) }
        if let n = d.shelfLifeDays, n <= 0 || n > 3_650 { errors.append(DomainError("certification.product.shelf-life-invalid", field: "shelf_life_days")) }
        try ValidationErrors.throwIfAny(errors)
        return d
    }
}

public struct ProductRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: ProductDraft
    public let photo: PhotoKind?

    init(_ p: Product) {
        id = p.id!
        draft = ProductDraft(organisationID: p.organisationID, personID: p.personID, makerShown: p.makerShown, nameKy: p.nameKy, nameRu: p.nameRu,
                             category: p.category, hsCode: p.hsCode, compositionKy: p.compositionKy, compositionRu: p.compositionRu,
                             netQuantity: p.netQuantity, netUnit: p.netUnit, shelfLifeDays: p.shelfLifeDays, storageKy: p.storageKy,
                             storageRu: p.storageRu, organic: p.organic, brandID: p.brandID)
        photo = p.photoKind
    }

    /// The name in the label language asked for, else the other one.
    public func name(_ language: LabelLanguage) -> String {
        let (first, second) = language == .ky ? (draft.nameKy, draft.nameRu) : (draft.nameRu, draft.nameKy)
        return first.isEmpty ? second : first
    }
}

/// The two languages a label in Kyrgyzstan carries: the state language and the official one.
public enum LabelLanguage: String, Codable, Sendable, CaseIterable {
    case ky, ru
}

public struct ProductRequirements: Sendable {
    public let requirements: [Requirement]
    public let eac: Bool
    /// Mandatory requirements not met.
    public var missing: [Requirement] { requirements.filter { $0.rule.mandatory && !$0.met } }
}

public struct LabelSheet: Sendable {
    public let content: LabelContent
    public let batch: BatchRecord?
    public let eac: Bool
}

/// Products of producer groups: what they are, the rules they must meet, their labels and batches.
public struct ProductService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static let largestPhoto = 2 * 1024 * 1024

    public func create(_ draft: ProductDraft, by actor: Actor) async throws -> ProductRecord {
        let draft = try draft.checked()
        return try await db.writeTransaction { tx in
            try await Self.checkOwners(draft, on: tx)
            let row = Product()
            Self.apply(draft, to: row)
            try await row.create(on: tx)
            try await Self.recordMaker(draft, on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "product", entityID: row.id, changes: [
                FieldChange(field: "category", from: nil, to: draft.category.rawValue),
            ])
            return ProductRecord(row)
        }
    }

    public func update(_ id: UUID, _ draft: ProductDraft, by actor: Actor) async throws -> ProductRecord {
        let draft = try draft.checked()
        return try await db.writeTransaction { tx in
            guard let row = try await Product.find(id, on: tx) else { throw DomainError.notFound("certification.product") }
            try await Self.checkOwners(draft, on: tx)
            let before = ProductRecord(row).draft
            Self.apply(draft, to: row)
            try await row.update(on: tx)
            try await Self.recordMaker(draft, on: tx)
            let changes = [("category", before.category.rawValue, draft.category.rawValue), ("organic", String(before.organic), String(draft.organic)),
                           ("hs_code", before.hsCode, draft.hsCode)].filter { $0.1 != $0.2 }.map { FieldChange(field: $0.0, from: $0.1, to: $0.2) }
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "product", entityID: id, changes: changes)
            return ProductRecord(row)
        }
    }

    /// The woman who makes it is one the network has reached.
    static func recordMaker(_ draft: ProductDraft, on db: any Database) async throws {
        if let maker = draft.personID { try await NetworkReach.record(maker, on: BishkekCalendar.day(of: Date()), db: db) }
    }

    static func checkOwners(_ draft: ProductDraft, on db: any Database) async throws {
        guard let org = try await Organisation.find(draft.organisationID, on: db), org.kind == .producerGroup else {
            throw DomainError("certification.product.group-invalid", field: "organisation_id")
        }
        if let person = draft.personID, try await Person.find(person, on: db) == nil {
            throw DomainError("certification.product.person-invalid", field: "person_id")
        }
        if let brandID = draft.brandID {
            guard let brand = try await Brand.find(brandID, on: db), brand.organisationID == draft.organisationID else {
                throw DomainError("certification.product.brand-invalid", field: "brand_id")
            }
        }
    }

    static func apply(_ d: ProductDraft, to row: Product) {
        row.organisationID = d.organisationID
        row.personID = d.personID
        row.makerShown = d.personID != nil && d.makerShown
        row.nameKy = d.nameKy
        row.nameRu = d.nameRu
        row.category = d.category
        row.hsCode = d.hsCode
        row.compositionKy = d.compositionKy
        row.compositionRu = d.compositionRu
        row.netQuantity = d.netQuantity
        row.netUnit = d.netUnit
        row.shelfLifeDays = d.shelfLifeDays
        row.storageKy = d.storageKy
        row.storageRu = d.storageRu
        row.organic = d.organic
        row.brandID = d.brandID
    }

    public func product(_ id: UUID) async throws -> ProductRecord {
        guard let row = try await Product.find(id, on: db) else { throw DomainError.notFound("certification.product") }
        return ProductRecord(row)
    }

    /// Products by name, of one group or brand when asked.
    public func products(organisation: UUID? = nil, brand: UUID? = nil, maker: UUID? = nil, page: PageQuery) async throws -> Paged<ProductRecord> {
        let query = Product.query(on: db)
        if let organisation { query.filter(\.$organisationID == organisation) }
        if let maker { query.filter(\.$personID == maker) }
        if let brand { query.filter(\.$brandID == brand) }
        let total = try await query.count()
        let rows = try await query.sort(\.$nameRu).sort(\.$id).range(page.offset..<page.offset + page.per).all()
        return Paged(items: rows.map(ProductRecord.init), total: total, request: page)
    }

    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: ProductRecord] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Product.query(on: db).filter(\.$id ~~ unique).all().map { ($0.id!, ProductRecord($0)) })
    }

    // MARK: - Photo

    /// Keeps the product's photo (PNG or JPEG, judged from the bytes) in `store`.
    public func attachPhoto(_ id: UUID, data: Data, store: FileStore, by actor: Actor) async throws {
        guard data.count <= Self.largestPhoto else { throw DomainError("certification.upload.too-large", field: "photo", arguments: ["limit": "2 MB"]) }
        let kind: PhotoKind
        switch FileKind.sniff(data) {
        case .png: kind = .png
        case .jpeg: kind = .jpeg
        default: throw DomainError("certification.upload.not-image", field: "photo")
        }
        guard try await Product.find(id, on: db) != nil else { throw DomainError.notFound("certification.product") }
        try store.write(data, id: id, ext: kind.rawValue)
        try await db.writeTransaction { tx in
            guard let row = try await Product.find(id, on: tx) else { throw DomainError.notFound("certification.product") }
            if let old = row.photoKind, old != kind { store.remove(id, old.rawValue) }
            row.photoKind = kind
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "attach-photo", entity: "product", entityID: id,
                                      changes: [FieldChange(field: "photo_bytes", from: nil, to: String(data.count))])
        }
    }

    public func photo(_ id: UUID, store: FileStore) async throws -> (kind: PhotoKind, data: Data) {
        guard let row = try await Product.find(id, on: db), let kind = row.photoKind, let data = store.read(id, kind.rawValue) else {
            throw DomainError.notFound("certification.photo")
        }
        return (kind, data)
    }

    // MARK: - Requirements and labels

    /// Every rule that applies to the product, what meets it, and whether its label may carry the EAC mark.
    public func requirements(_ id: UUID, today: String = BishkekCalendar.day(of: Date())) async throws -> ProductRequirements {
        guard let result = try await requirements(of: [id], today: today)[id] else { throw DomainError.notFound("certification.product") }
        return result
    }

    /// The requirements of many products, read in a fixed number of queries however many there are.
    public func requirements(of ids: [UUID], today: String = BishkekCalendar.day(of: Date())) async throws -> [UUID: ProductRequirements] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await Product.query(on: db).filter(\.$id ~~ ids).all()
        let documents = try await DocumentService(db: db).facts(covering: ids)
        let labels = try await LabelSources.load(rows, on: db)
        let rules = try await RegistryService(db: db).ruleFacts()
        return Dictionary(uniqueKeysWithValues: rows.map { row in
            let facts = documents[row.id!] ?? []
            let missing = Set(LabelLanguage.allCases.flatMap { labels.content(row, language: $0).missing })
            return (row.id!, ProductRequirements(
                requirements: Requirements.evaluate(category: row.category, organic: row.organic, rules: rules, documents: facts,
                                                    labelMissing: LabelField.allCases.filter(missing.contains), today: today),
                eac: Requirements.mayCarryEAC(facts, today: today)))
        })
    }

    /// The label of a batch (the latest when none is named) in one language, with every field as it would print.
    public func label(_ id: UUID, batch batchID: UUID? = nil, language: LabelLanguage,
                      today: String = BishkekCalendar.day(of: Date())) async throws -> LabelSheet {
        guard let row = try await Product.find(id, on: db) else { throw DomainError.notFound("certification.product") }
        var labels = try await LabelSources.load([row], on: db)
        if let batchID {
            guard let batch = try await Batch.find(batchID, on: db), batch.productID == id else { throw DomainError.notFound("certification.batch") }
            labels.latestBatch[id] = BatchRecord(batch)
        }
        let documents = try await DocumentService(db: db).facts(covering: [id])[id] ?? []
        return LabelSheet(content: labels.content(row, language: language), batch: labels.latestBatch[id],
                          eac: Requirements.mayCarryEAC(documents, today: today))
    }
}

/// What labels are made of beyond the product itself: its latest batch, the producing group and where it is.
struct LabelSources {
    var latestBatch: [UUID: BatchRecord]
    let organisations: [UUID: OrganisationRecord]
    let places: [UUID: PlaceRecord]

    static func load(_ rows: [Product], on db: any Database) async throws -> LabelSources {
        let ids = rows.map { $0.id! }
        var latest: [UUID: BatchRecord] = [:]
        for batch in try await Batch.query(on: db).filter(\.$productID ~~ ids).sort(\.$producedOn, .descending).sort(\.$createdAt, .descending).all()
        where latest[batch.productID] == nil {
            latest[batch.productID] = BatchRecord(batch)
        }
        let organisations = try await OrganisationService(db: db).lookup(rows.map(\.organisationID))
        let places = try await GeographyService(db: db).lookup(organisations.values.flatMap { [$0.villageID, $0.districtID].compactMap { $0 } })
        return LabelSources(latestBatch: latest, organisations: organisations, places: places)
    }

    func content(_ row: Product, language: LabelLanguage) -> LabelContent {
        let product = ProductRecord(row)
        let batch = latestBatch[row.id!]
        let organisation = organisations[row.organisationID]
        let placeNames = [organisation?.villageID, organisation?.districtID].compactMap { $0.flatMap { places[$0] } }
            .map { (place: PlaceRecord) in language == .ky ? place.name.ky : place.name.ru }
        let address = ([organisation?.address ?? ""] + placeNames).filter { !$0.isEmpty }.joined(separator: ", ")
        let d = product.draft
        return LabelContent(
            name: product.name(language), composition: language == .ky ? d.compositionKy : d.compositionRu,
            netQuantity: d.netQuantity.map { "\($0) \(d.netUnit.rawValue)" } ?? "", producedOn: batch?.producedOn ?? "",
            bestBefore: batch?.bestBefore ?? "", storage: language == .ky ? d.storageKy : d.storageRu,
            producerName: organisation?.name ?? "", producerAddress: address, batchNumber: batch?.batchNumber ?? "",
            isFood: d.category.isFood)
    }
}
