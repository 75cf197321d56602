import AsharNetwork
import FluentKit
import SQLKit

/// The Producers context's migrations, in the order they run. Names are stable: never rename one.
public enum ProducerMigrations {
    public static let all: [any Migration] = [
        CreateProducerGroups(),  // producers.001
        CreateProducerMembers(), // producers.002
        CreatePurchaseRounds(),  // producers.003
        CreateSalePools(),       // producers.004
        CreateAccountsAndFund(), // producers.005
        CreateEquipment(),       // producers.006
        CreateCounterparties(),  // producers.007
        AddPoolContractTerms(),  // producers.008
        RecordReach(name: "producers.009.record-reach", source: "SELECT person_id, joined_on AS day FROM producer_members"),
        FillKeptCounts(name: "producers.010.keep-counts", index: "CREATE INDEX IF NOT EXISTS producer_members_by_day ON producer_members (joined_on)", fills: [
            (.producerMembers, "SELECT group_id AS key, SUBSTR(joined_on, 1, 7) AS month, COUNT(*) AS count FROM producer_members GROUP BY group_id, SUBSTR(joined_on, 1, 7)"),
        ]),
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

/// Members' money accounts, the group's purses, fund claims and votes, and the group's voting rule.
struct CreateAccountsAndFund: AsyncMigration {
    var name: String { "producers.005.create-accounts-and-fund" }
    func prepare(on db: any Database) async throws {
        // Groups opened before the fund existed decide by simple majority; a raw statement because the
        // column needs a default for the rows already there.
        try await (db as! any SQLDatabase)
            .raw("ALTER TABLE producer_groups ADD COLUMN fund_rule TEXT NOT NULL DEFAULT 'simple-majority'").run()
        try await db.schema("producer_account_entries")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("kind", .string, .required)
            .field("amount", .int, .required)
            .field("source_id", .uuid)
            .field("note", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_fund_entries")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("purse", .string, .required)
            .field("kind", .string, .required)
            .field("amount", .int, .required)
            .field("member_id", .uuid, .references("producer_members", "id"))
            .field("source_id", .uuid)
            .field("note", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_fund_claims")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("reason", .string, .required)
            .field("amount", .int, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_fund_votes")
            .id()
            .field("claim_id", .uuid, .required, .references("producer_fund_claims", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("approve", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "claim_id", "member_id")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "producer_account_entries_member").on("producer_account_entries").column("member_id").run()
        try await sql.create(index: "producer_fund_entries_group").on("producer_fund_entries").column("group_id").run()
    }
    func revert(on db: any Database) async throws {
        for table in ["producer_fund_votes", "producer_fund_claims", "producer_fund_entries", "producer_account_entries"] {
            try await db.schema(table).delete()
        }
        try await db.schema("producer_groups").deleteField("fund_rule").update()
    }
}

/// Shared equipment: items, who paid for them, bookings, and the queue for busy weeks.
struct CreateEquipment: AsyncMigration {
    var name: String { "producers.006.create-equipment" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_equipment")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("name", .string, .required)
            .field("round_id", .uuid, .references("producer_rounds", "id"))
            .field("fee", .int, .required)
            .field("fee_unit", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_equipment_contributions")
            .id()
            .field("equipment_id", .uuid, .required, .references("producer_equipment", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("amount", .int, .required)
            .unique(on: "equipment_id", "member_id")
            .create()
        try await db.schema("producer_equipment_bookings")
            .id()
            .field("equipment_id", .uuid, .required, .references("producer_equipment", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("first_day", .string, .required)
            .field("last_day", .string, .required)
            .field("status", .string, .required)
            .field("condition_out", .string)
            .field("condition_back", .string)
            .field("usage", .int)
            .field("fee", .int)
            .field("created_at", .datetime)
            .create()
        try await db.schema("producer_equipment_queue")
            .id()
            .field("equipment_id", .uuid, .required, .references("producer_equipment", "id"))
            .field("member_id", .uuid, .required, .references("producer_members", "id"))
            .field("asked_at", .datetime, .required)
            .field("served", .bool, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["producer_equipment_queue", "producer_equipment_bookings", "producer_equipment_contributions", "producer_equipment"] {
            try await db.schema(table).delete()
        }
    }
}

/// Suppliers and buyers a group deals with, and suppliers' price lists.
struct CreateCounterparties: AsyncMigration {
    var name: String { "producers.007.create-counterparties" }
    func prepare(on db: any Database) async throws {
        try await db.schema("producer_counterparties")
            .id()
            .field("group_id", .uuid, .required, .references("producer_groups", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("kind", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "group_id", "organisation_id", "kind")
            .create()
        try await db.schema("producer_catalogue")
            .id()
            .field("supplier_id", .uuid, .required, .references("organisations", "id"))
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("package_size", .int, .required)
            .field("tiers", .string, .required)
            .field("valid_from", .string)
            .field("valid_to", .string)
            .create()
    }
    func revert(on db: any Database) async throws {
        for table in ["producer_catalogue", "producer_counterparties"] { try await db.schema(table).delete() }
    }
}

/// A pool's buyer contract: the quantity agreed and the delivery terms.
struct AddPoolContractTerms: AsyncMigration {
    var name: String { "producers.008.pool-contract-terms" }
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE producer_pools ADD COLUMN contract_quantity BIGINT").run()
        try await sql.raw("ALTER TABLE producer_pools ADD COLUMN terms TEXT NOT NULL DEFAULT ''").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("producer_pools").deleteField("terms").deleteField("contract_quantity").update()
    }
}
