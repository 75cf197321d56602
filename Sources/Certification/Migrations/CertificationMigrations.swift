import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// The Certification context's migrations, in the order they run. Names are stable: never rename one.
public enum CertificationMigrations {
    public static let all: [any Migration] = [
        CreateRegistry(),   // certification.001
        SeedRegistry(),     // certification.002
        CreateProducts(),   // certification.003
        CreateDocuments(),  // certification.004
        RecordMakersReached(),  // certification.005
    ]
}

struct CreateRegistry: AsyncMigration {
    var name: String { "certification.001.create-registry" }
    func prepare(on db: any Database) async throws {
        try await db.schema("certification_regulations")
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("title_ky", .string, .required)
            .field("title_ru", .string, .required)
            .field("title_en", .string, .required)
            .unique(on: "code")
            .create()
        try await db.schema("certification_rules")
            .id()
            .field("regulation_id", .uuid, .required, .references("certification_regulations", "id"))
            .field("category", .string)
            .field("food_only", .bool, .required)
            .field("organic_only", .bool, .required)
            .field("evidence", .string, .required)
            .field("mandatory", .bool, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("certification_rules").delete()
        try await db.schema("certification_regulations").delete()
    }
}

/// The regulations the pilot's producers met with Kyrgyzstandart, and what each asks of which products.
struct SeedRegistry: AsyncMigration {
    var name: String { "certification.002.seed-registry" }

    struct Seed {
        let code: String
        let kind: RegulationKind
        let titles: (ky: String, ru: String, en: String)
        let rules: [(category: ProductCategory?, foodOnly: Bool, organicOnly: Bool, evidence: Evidence, mandatory: Bool)]
    }

    static let seeds: [Seed] = [
        Seed(code: "TR CU 021/2011", kind: .technicalRegulation,
             titles: ("Тамак-аш продукциясынын коопсуздугу жөнүндө", "О безопасности пищевой продукции", "On the safety of food products"),
             rules: [(nil, true, false, .declaration, true)]),
        Seed(code: "TR CU 022/2011", kind: .technicalRegulation,
             titles: ("Тамак-аш продукциясы, анын маркировкасы жагынан", "Пищевая продукция в части её маркировки", "Food products: labelling"),
             rules: [(nil, true, false, .label, true)]),
        Seed(code: "TR CU 033/2013", kind: .technicalRegulation,
             titles: ("Сүттүн жана сүт продукциясынын коопсуздугу жөнүндө", "О безопасности молока и молочной продукции", "On the safety of milk and dairy products"),
             rules: [(.dairy, true, false, .declaration, true)]),
        Seed(code: "TR CU 017/2011", kind: .technicalRegulation,
             titles: ("Жеңил өнөр жай продукциясынын коопсуздугу жөнүндө", "О безопасности продукции лёгкой промышленности", "On the safety of light industry products"),
             rules: [(.felt, false, false, .declaration, true), (.textiles, false, false, .declaration, true)]),
        Seed(code: "TR CU 009/2011", kind: .technicalRegulation,
             titles: ("Парфюмердик-косметикалык продукциянын коопсуздугу жөнүндө", "О безопасности парфюмерно-косметической продукции",
                      "On the safety of perfumery and cosmetic products"),
             rules: [(.cosmetics, false, false, .declaration, true)]),
        Seed(code: "GOST 19792-2017", kind: .nationalStandard,
             titles: ("Табигый бал. Техникалык шарттар", "Мёд натуральный. Технические условия", "Natural honey. Specifications"),
             rules: [(.honey, true, false, .certificate, false)]),
        Seed(code: "KR organic law", kind: .law,
             titles: ("Органикалык айыл чарба өндүрүшү жөнүндө Кыргыз Республикасынын Мыйзамы",
                      "Закон Кыргызской Республики об органическом сельскохозяйственном производстве",
                      "Law of the Kyrgyz Republic on organic agricultural production"),
             rules: [(nil, false, true, .pgsCertificate, true)]),
    ]

    func prepare(on db: any Database) async throws {
        for seed in Self.seeds {
            let regulation = Regulation()
            regulation.code = seed.code
            regulation.kind = seed.kind
            (regulation.titleKy, regulation.titleRu, regulation.titleEn) = seed.titles
            try await regulation.create(on: db)
            for r in seed.rules {
                let rule = RegulationRule()
                rule.regulationID = regulation.id!
                rule.category = r.category
                rule.foodOnly = r.foodOnly
                rule.organicOnly = r.organicOnly
                rule.evidence = r.evidence
                rule.mandatory = r.mandatory
                try await rule.create(on: db)
            }
        }
    }
    func revert(on db: any Database) async throws {
        try await RegulationRule.query(on: db).delete()
        try await Regulation.query(on: db).delete()
    }
}

/// Brands, products, their certification path, batches, and the participatory guarantee's visits.
struct CreateProducts: AsyncMigration {
    var name: String { "certification.003.create-products" }
    func prepare(on db: any Database) async throws {
        try await db.schema("certification_brands")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("name", .string, .required)
            .field("primary_colour", .string, .required)
            .field("secondary_colour", .string, .required)
            .field("logo_kind", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema("certification_products")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("person_id", .uuid, .references("people", "id"))
            .field("maker_shown", .bool, .required)
            .field("name_ky", .string, .required)
            .field("name_ru", .string, .required)
            .field("category", .string, .required)
            .field("hs_code", .string, .required)
            .field("composition_ky", .string, .required)
            .field("composition_ru", .string, .required)
            .field("net_quantity", .int)
            .field("net_unit", .string, .required)
            .field("shelf_life_days", .int)
            .field("storage_ky", .string, .required)
            .field("storage_ru", .string, .required)
            .field("organic", .bool, .required)
            .field("brand_id", .uuid, .references("certification_brands", "id"))
            .field("photo_kind", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema("certification_steps")
            .id()
            .field("product_id", .uuid, .required, .references("certification_products", "id"))
            .field("kind", .string, .required)
            .field("planned_on", .string)
            .field("done_on", .string)
            .field("responsible", .string, .required)
            .field("cost", .int, .required)
            .field("note", .string, .required)
            .field("shared_at", .datetime)
            .field("created_at", .datetime)
            .create()
        try await db.schema("certification_batches")
            .id()
            .field("product_id", .uuid, .required, .references("certification_products", "id"))
            .field("batch_number", .string, .required)
            .field("produced_on", .string, .required)
            .field("best_before", .string, .required)
            .field("code", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "code")
            .unique(on: "product_id", "batch_number")
            .create()
        try await db.schema("certification_peer_visits")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("visited_on", .string, .required)
            .field("farm", .string, .required)
            .field("visitors", .string, .required)
            .field("passed", .string, .required)
            .field("findings", .string, .required)
            .field("decision", .string, .required)
            .field("decided_on", .string)
            .field("sanction", .string, .required)
            .field("sanction_note", .string, .required)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["certification_peer_visits", "certification_batches", "certification_steps", "certification_products", "certification_brands"] {
            try await db.schema(table).delete()
        }
    }
}

/// Conformity documents, the products each covers and the regulations it attests.
struct CreateDocuments: AsyncMigration {
    var name: String { "certification.004.create-documents" }
    func prepare(on db: any Database) async throws {
        try await db.schema("certification_documents")
            .id()
            .field("type", .string, .required)
            .field("number", .string, .required)
            .field("registration_number", .string, .required)
            .field("applicant", .string, .required)
            .field("manufacturer", .string, .required)
            .field("body", .string, .required)
            .field("laboratory", .string, .required)
            .field("protocol", .string, .required)
            .field("issued_on", .string, .required)
            .field("expires_on", .string, .required)
            .field("status", .string, .required)
            .field("replaces_id", .uuid, .references("certification_documents", "id"))
            .field("scan_bytes", .int)
            .field("created_at", .datetime)
            .create()
        try await db.schema("certification_document_products")
            .id()
            .field("document_id", .uuid, .required, .references("certification_documents", "id"))
            .field("product_id", .uuid, .required, .references("certification_products", "id"))
            .unique(on: "document_id", "product_id")
            .create()
        try await db.schema("certification_document_regulations")
            .id()
            .field("document_id", .uuid, .required, .references("certification_documents", "id"))
            .field("regulation_id", .uuid, .required, .references("certification_regulations", "id"))
            .unique(on: "document_id", "regulation_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["certification_document_regulations", "certification_document_products", "certification_documents"] {
            try await db.schema(table).delete()
        }
    }
}

/// The women who make products registered before the network counted whom it reached.
struct RecordMakersReached: AsyncMigration {
    var name: String { "certification.005.record-makers-reached" }
    func prepare(on db: any Database) async throws {
        for product in try await Product.query(on: db).filter(\.$personID != nil).all() {
            try await NetworkReach.record(product.personID!, on: BishkekCalendar.day(of: product.createdAt ?? Date()), db: db)
        }
    }
    func revert(on db: any Database) async throws {}
}
