import AsharNetwork
import FluentKit
import Foundation

/// A product of a producer group, or of one member under her group's organisation.
final class Product: Model, @unchecked Sendable {
    static let schema = "certification_products"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalField(key: "person_id") var personID: UUID?
    /// She agreed that her name appears on the product's public page.
    @Field(key: "maker_shown") var makerShown: Bool
    @Field(key: "name_ky") var nameKy: String
    @Field(key: "name_ru") var nameRu: String
    @Enum(key: "category") var category: ProductCategory
    @Field(key: "hs_code") var hsCode: String
    @Field(key: "composition_ky") var compositionKy: String
    @Field(key: "composition_ru") var compositionRu: String
    @OptionalField(key: "net_quantity") var netQuantity: Int?
    @Enum(key: "net_unit") var netUnit: NetUnit
    @OptionalField(key: "shelf_life_days") var shelfLifeDays: Int?
    @Field(key: "storage_ky") var storageKy: String
    @Field(key: "storage_ru") var storageRu: String
    @Field(key: "organic") var organic: Bool
    @OptionalField(key: "brand_id") var brandID: UUID?
    @OptionalEnum(key: "photo_kind") var photoKind: PhotoKind?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A standard, technical regulation or law in the registry.
final class Regulation: Model, @unchecked Sendable {
    static let schema = "certification_regulations"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Enum(key: "kind") var kind: RegulationKind
    @Field(key: "title_ky") var titleKy: String
    @Field(key: "title_ru") var titleRu: String
    @Field(key: "title_en") var titleEn: String

    init() {}
}

/// Which regulation applies to which category (all categories when none), and what it asks for.
final class RegulationRule: Model, @unchecked Sendable {
    static let schema = "certification_rules"

    @ID(key: .id) var id: UUID?
    @Field(key: "regulation_id") var regulationID: UUID
    @OptionalEnum(key: "category") var category: ProductCategory?
    @Field(key: "food_only") var foodOnly: Bool
    @Field(key: "organic_only") var organicOnly: Bool
    @Enum(key: "evidence") var evidence: Evidence
    @Field(key: "mandatory") var mandatory: Bool

    init() {}
}

/// A declaration of conformity, a certificate, or a participatory guarantee group certificate.
final class ConformityDocument: Model, @unchecked Sendable {
    static let schema = "certification_documents"

    @ID(key: .id) var id: UUID?
    @Enum(key: "type") var type: DocumentType
    @Field(key: "number") var number: String
    @Field(key: "registration_number") var registrationNumber: String
    @Field(key: "applicant") var applicant: String
    @Field(key: "manufacturer") var manufacturer: String
    @Field(key: "body") var body: String
    @Field(key: "laboratory") var laboratory: String
    @Field(key: "protocol") var protocolNumber: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "expires_on") var expiresOn: String
    @Enum(key: "status") var status: DocumentStatus
    @OptionalField(key: "replaces_id") var replacesID: UUID?
    @OptionalField(key: "scan_bytes") var scanBytes: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class DocumentProduct: Model, @unchecked Sendable {
    static let schema = "certification_document_products"

    @ID(key: .id) var id: UUID?
    @Field(key: "document_id") var documentID: UUID
    @Field(key: "product_id") var productID: UUID

    init() {}
}

final class DocumentRegulation: Model, @unchecked Sendable {
    static let schema = "certification_document_regulations"

    @ID(key: .id) var id: UUID?
    @Field(key: "document_id") var documentID: UUID
    @Field(key: "regulation_id") var regulationID: UUID

    init() {}
}

/// One step on a product's way to its documents, with its cost.
final class PathStep: Model, @unchecked Sendable {
    static let schema = "certification_steps"

    @ID(key: .id) var id: UUID?
    @Field(key: "product_id") var productID: UUID
    @Enum(key: "kind") var kind: StepKind
    @OptionalField(key: "planned_on") var plannedOn: String?
    @OptionalField(key: "done_on") var doneOn: String?
    @Field(key: "responsible") var responsible: String
    @Field(key: "cost") var cost: Int
    @Field(key: "note") var note: String
    /// When the cost was shared among the group's members (through their accounts with the group).
    @OptionalField(key: "shared_at") var sharedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A participatory guarantee peer visit, and the local council's decision on it.
final class PeerVisit: Model, @unchecked Sendable {
    static let schema = "certification_peer_visits"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "visited_on") var visitedOn: String
    @Field(key: "farm") var farm: String
    @Field(key: "visitors") var visitors: String
    /// The checklist items found in order, space-separated.
    @Field(key: "passed") var passed: String
    @Field(key: "findings") var findings: String
    @Enum(key: "decision") var decision: CouncilDecision
    @OptionalField(key: "decided_on") var decidedOn: String?
    @Enum(key: "sanction") var sanction: Sanction
    @Field(key: "sanction_note") var sanctionNote: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class Brand: Model, @unchecked Sendable {
    static let schema = "certification_brands"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "name") var name: String
    @Field(key: "primary_colour") var primaryColour: String
    @Field(key: "secondary_colour") var secondaryColour: String
    @OptionalEnum(key: "logo_kind") var logoKind: LogoKind?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A batch of a product, with the short code its QR code and public page carry.
final class Batch: Model, @unchecked Sendable {
    static let schema = "certification_batches"

    @ID(key: .id) var id: UUID?
    @Field(key: "product_id") var productID: UUID
    @Field(key: "batch_number") var batchNumber: String
    @Field(key: "produced_on") var producedOn: String
    @Field(key: "best_before") var bestBefore: String
    @Field(key: "code") var code: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
