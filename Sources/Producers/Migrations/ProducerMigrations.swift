import FluentKit

/// The Producers context's migrations, in the order they run. Names are stable: never rename one.
public enum ProducerMigrations {
    public static let all: [any Migration] = [
        CreateProducerGroups(),  // producers.001
        CreateProducerMembers(), // producers.002
        CreatePurchaseRounds(),  // producers.003
        CreateSalePools(),       // producers.004
    ]
}

struct CreateProducerGroups: AsyncMigration {
    var name: String { "producers.001.create-groups" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_groups")
            .field("id", .uuid, .identifier(auto: false), .references("organisations", "id"))
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("producer_groups").delete() }
}

struct CreateProducerMembers: AsyncMigration {
    var name: String { "producers.002.create-members" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_members")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("person_id", .uuid, .required, .references("people", "id"))
            .field("role", .string, .required)
            .field("produces", .string, .required)
            .field("joined_on", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "group_id", "person_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("producer_members").delete() }
}

/// Rounds, their articles, the members' orders and the shared costs: one change, one feature.
struct CreatePurchaseRounds: AsyncMigration {
    var name: String { "producers.003.create-purchase-rounds" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_rounds")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("supplier_id", .uuid, .references("organisations", "id"))
            .field("deadline", .datetime, .required)
            .field("allocation", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_round_articles")
            .id()
            .field("round_id", .uuid, .required, .references("producer_rounds", "id"))
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("package_size", .int, .required)
            .field("tiers", .string, .required)
            .field("received_quantity", .int)
            .field("position", .int, .required)
            .create()
        try await db.schema("producer_orders")
            .id()
            .field("round_id", .uuid, .required, .references("producer_rounds", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("article_id", .uuid, .required, .references("producer_round_articles", "id"))
            .field("quantity", .int, .required)
            .field("tolerance", .int, .required)
            .field("ordered_at", .datetime, .required)
            .unique(on: "round_id", "member_id", "article_id")
            .create()
        try await db.schema("producer_round_costs")
            .id()
            .field("round_id", .uuid, .required, .references("producer_rounds", "id"))
            .field("label", .string, .required)
            .field("amount", .int, .required)
            .field("split_by", .string, .required)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["producer_round_costs", "producer_orders", "producer_round_articles", "producer_rounds"] {
            try await db.schema(table).delete()
        }
    }
}

/// Pooled sales: pools, intakes, and the money in and out.
struct CreateSalePools: AsyncMigration {
    var name: String { "producers.004.create-sale-pools" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_pools")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("product", .string, .required)
            .field("buyer", .string, .required)
            .field("grade_prices", .string, .required)
            .field("levy_basis_points", .int, .required)
            .field("rejects", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_intakes")
            .id()
            .field("pool_id", .uuid, .required, .references("producer_pools", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("quantity", .int, .required)
            .field("grade", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_pool_money")
            .id()
            .field("pool_id", .uuid, .required, .references("producer_pools", "id"))
            .field("kind", .string, .required)
            .field("label", .string, .required)
            .field("amount", .int, .required)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["producer_pool_money", "producer_intakes", "producer_pools"] { try await db.schema(table).delete() }
    }
}
