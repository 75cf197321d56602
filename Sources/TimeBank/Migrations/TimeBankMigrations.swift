import AsharNetwork
import FluentKit
import SQLKit

/// The TimeBank context's migrations, in the order they run. Names are stable: never rename one.
public enum TimeBankMigrations {
    public static let all: [any Migration] = [
        CreateCategories(),      // timebank.001
        SeedPilotCategories(),   // timebank.002
        CreateBanks(),           // timebank.003
        CreateMembers(),         // timebank.004
        CreateAccounts(),        // timebank.005
        CreateTransfers(),       // timebank.006
        CreateEntries(),         // timebank.007
        MakeLedgerAppendOnly(),  // timebank.008
        CreateListings(),        // timebank.009
        CreateClaims(),          // timebank.010
        AddTransferPurpose(),    // timebank.011
        CreateApplications(),    // timebank.012
        CreateMonthTotals(),     // timebank.013
        RecordReach(name: "timebank.014.record-reach", source: "SELECT person_id, joined_on AS day FROM timebank_members"),
        CreateDayTotals(),       // timebank.015
        FillKeptCounts(name: "timebank.016.keep-counts", index: "CREATE INDEX IF NOT EXISTS timebank_members_by_day ON timebank_members (joined_on)", fills: [
            (.timeBankMembers, "SELECT bank_id AS key, SUBSTR(joined_on, 1, 7) AS month, COUNT(*) AS count FROM timebank_members GROUP BY bank_id, SUBSTR(joined_on, 1, 7)"),
            (.minutesEarned, "SELECT bank_id AS key, SUBSTR(day, 1, 7) AS month, SUM(minutes) AS count FROM timebank_day_totals GROUP BY bank_id, SUBSTR(day, 1, 7)"),
            (.exchangesBetweenBanks, "SELECT bank_id AS key, SUBSTR(day, 1, 7) AS month, SUM(between_banks) AS count FROM timebank_day_totals GROUP BY bank_id, SUBSTR(day, 1, 7)"),
        ]),
        CreateSyncTables(),      // timebank.017
    ]
}

struct CreateCategories: AsyncMigration {
    var name: String { "timebank.001.create-categories" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_categories")
            .id()
            .field("code", .string)
            .field("name_ky", .string, .required)
            .field("name_ru", .string, .required)
            .field("name_en", .string, .required)
            .field("bank_id", .uuid, .references("organisations", "id"))
            .unique(on: "code")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_categories").delete() }
}

/// The services the pilot's members trade, present in every database.
struct SeedPilotCategories: AsyncMigration {
    var name: String { "timebank.002.seed-pilot-categories" }
    static let pilot: [(code: String, ky: String, ru: String, en: String)] = [
        ("weddings", "Той-тамаша уюштуруу", "Организация свадеб и торжеств", "Weddings and celebrations"),
        ("fruit", "Жемиш иштетүү жана консервалоо", "Переработка и консервирование фруктов", "Fruit processing and preserving"),
        ("harvest", "Түшүм жыйноого жардам", "Помощь в уборке урожая", "Harvest help"),
        ("childcare", "Бала кароо", "Присмотр за детьми", "Childcare"),
        ("eldercare", "Карыларды кароо", "Уход за пожилыми", "Care for elders"),
        ("cooking", "Иш-чараларга тамак жасоо", "Приготовление еды для мероприятий", "Cooking for events"),
        ("sewing", "Тигүү жана кийиз иштери", "Шитьё и изделия из войлока", "Sewing and felt work"),
        ("repair", "Үй оңдоо", "Ремонт дома", "House repair"),
        ("transport", "Унаа", "Транспорт", "Transport"),
        ("teaching", "Окутуу", "Обучение", "Teaching"),
    ]
    func prepare(on db: any Database) async throws {
        for c in Self.pilot {
            let category = ServiceCategory()
            category.code = c.code
            category.nameKy = c.ky
            category.nameRu = c.ru
            category.nameEn = c.en
            try await category.create(on: db)
        }
    }
    func revert(on db: any Database) async throws {
        try await ServiceCategory.query(on: db).filter(\.$code ~~ Self.pilot.map(\.code)).delete()
    }
}

struct CreateBanks: AsyncMigration {
    var name: String { "timebank.003.create-banks" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebanks")
            .field("id", .uuid, .identifier(auto: false), .references("organisations", "id"))
            .field("lower_limit_minutes", .int, .required)
            .field("upper_limit_minutes", .int)
            .field("welcome_credit_minutes", .int)
            .field("clearing_limit_minutes", .int)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebanks").delete() }
}

struct CreateMembers: AsyncMigration {
    var name: String { "timebank.004.create-members" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_members")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("person_id", .uuid, .required, .references("people", "id"))
            .field("member_number", .string, .required)
            .field("joined_on", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "bank_id", "person_id")
            .unique(on: "bank_id", "member_number")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_members").delete() }
}

struct CreateAccounts: AsyncMigration {
    var name: String { "timebank.005.create-accounts" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_accounts")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("kind", .string, .required)
            .field("member_id", .uuid, .references("timebank_members", "id"))
            .field("counterpart_bank_id", .uuid, .references("timebanks", "id"))
            .field("balance_minutes", .int, .required)
            .field("entry_count", .int, .required)
            .field("lower_limit_minutes", .int)
            .field("upper_limit_minutes", .int)
            .unique(on: "member_id")
            .unique(on: "bank_id", "counterpart_bank_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_accounts").delete() }
}

struct CreateTransfers: AsyncMigration {
    var name: String { "timebank.006.create-transfers" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_transfers")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("category_id", .uuid, .references("timebank_categories", "id"))
            .field("minutes", .int, .required)
            .field("service_date", .string, .required)
            .field("note", .string)
            .field("slip_number", .string)
            .field("reverses_id", .uuid, .references("timebank_transfers", "id"))
            .field("override_reason", .string)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by_id", .uuid)
            .field("recorded_by_login", .string, .required)
            .field("on_behalf_of_id", .uuid)
            .unique(on: "bank_id", "slip_number")
            .unique(on: "reverses_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_transfers").delete() }
}

struct CreateEntries: AsyncMigration {
    var name: String { "timebank.007.create-entries" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_entries")
            .id()
            .field("transfer_id", .uuid, .required, .references("timebank_transfers", "id"))
            .field("account_id", .uuid, .required, .references("timebank_accounts", "id"))
            .field("minutes", .int, .required)
            .field("balance_after", .int, .required)
            .field("sequence", .int, .required)
            .field("recorded_at", .datetime, .required)
            .unique(on: "account_id", "sequence")
            .create()
        try await (db as? any SQLDatabase)?.create(index: "timebank_entries_transfer").on("timebank_entries").column("transfer_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_entries").delete() }
}

struct MakeLedgerAppendOnly: AsyncMigration {
    var name: String { "timebank.008.ledger-append-only" }
    func prepare(on db: any Database) async throws {
        try await AppendOnlyTable.protect("timebank_transfers", on: db)
        try await AppendOnlyTable.protect("timebank_entries", on: db)
    }
    func revert(on db: any Database) async throws {
        try await AppendOnlyTable.unprotect("timebank_entries", on: db)
        try await AppendOnlyTable.unprotect("timebank_transfers", on: db)
    }
}

struct CreateListings: AsyncMigration {
    var name: String { "timebank.009.create-listings" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_listings")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("member_id", .uuid, .required, .references("timebank_members", "id"))
            .field("kind", .string, .required)
            .field("category_id", .uuid, .references("timebank_categories", "id"))
            .field("village_id", .uuid, .required, .references("places", "id"))
            .field("description", .string, .required)
            .field("search_key", .string, .required)
            .field("created_at", .datetime)
            .field("closed_at", .datetime)
            .create()
        try await (db as? any SQLDatabase)?.create(index: "timebank_listings_board").on("timebank_listings")
            .column("bank_id").column("kind").column("category_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_listings").delete() }
}

struct CreateClaims: AsyncMigration {
    var name: String { "timebank.010.create-claims" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_claims")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("provider_id", .uuid, .required, .references("timebank_members", "id"))
            .field("recipient_id", .uuid, .required, .references("timebank_members", "id"))
            .field("claimant_id", .uuid, .required, .references("timebank_members", "id"))
            .field("minutes", .int, .required)
            .field("category_id", .uuid, .references("timebank_categories", "id"))
            .field("service_date", .string, .required)
            .field("note", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .field("decided_by_login", .string)
            .field("decline_reason", .string)
            .field("transfer_id", .uuid, .references("timebank_transfers", "id"))
            .create()
        try await (db as? any SQLDatabase)?.create(index: "timebank_claims_pending").on("timebank_claims")
            .column("bank_id").column("status").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_claims").delete() }
}

/// Adding a column writes no row, so the append-only triggers are not in the way.
struct AddTransferPurpose: AsyncMigration {
    var name: String { "timebank.011.transfer-purpose" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_transfers").field("purpose", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("timebank_transfers").deleteField("purpose").update()
    }
}

struct CreateApplications: AsyncMigration {
    var name: String { "timebank.012.create-applications" }
    func prepare(on db: any Database) async throws {
        try await db.schema("timebank_applications")
            .id()
            .field("bank_id", .uuid, .required, .references("timebanks", "id"))
            .field("full_name", .string, .required)
            .field("village_id", .uuid, .required, .references("places", "id"))
            .field("birth_year", .int, .required)
            .field("phone", .string)
            .field("offers", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .field("decided_by_login", .string)
            .field("member_id", .uuid, .references("timebank_members", "id"))
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("timebank_applications").delete() }
}
