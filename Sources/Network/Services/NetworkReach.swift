import FluentKit
import Foundation
import SQLKit

/// Every woman the network has served, once: the day it first did (she joined a time bank or producer
/// group, a product of hers was registered, she came to a training or a consultation) and the district
/// she lives in. Each context records it in the transaction that serves her, so the dashboard counts the
/// women reached by any day from one small table, however large the registry and the ledger grow.
public enum NetworkReach {
    static let table = "network_reach"

    /// She was served on `day`: kept if it is her first.
    public static func record(_ personID: UUID, on day: String, db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var changes: [KeptCounts.Change: Int] = [:]
        if let known = try await sql.raw("SELECT first_day, district_id FROM network_reach WHERE person_id = \(bind: personID)").first() {
            let first = try known.decode(column: "first_day", as: String.self)
            guard day < first else { return }
            try await sql.raw("UPDATE network_reach SET first_day = \(bind: day) WHERE person_id = \(bind: personID)").run()
            if let district = try known.decode(column: "district_id", as: UUID?.self) {
                changes[KeptCounts.Change(.womenReached, key: district, month: first), default: 0] -= 1
                changes[KeptCounts.Change(.womenReached, key: district, month: day), default: 0] += 1
            }
        } else {
            let district = try await Self.district(of: personID, on: sql)
            try await sql.raw("INSERT INTO network_reach (person_id, first_day, district_id) VALUES (\(bind: personID), \(bind: day), \(bind: district))").run()
            if let district { changes[KeptCounts.Change(.womenReached, key: district, month: day)] = 1 }
        }
        try await KeptCounts.add(changes, on: db)
    }

    /// Adds what a context had recorded before the table existed: `source` selects `person_id` and `day`.
    public static func backfill(_ source: SQLQueryString, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw(upsert("""
            SELECT s.person_id, MIN(s.day), v.district_id FROM (\(source)) s
            JOIN people p ON p.id = s.person_id LEFT JOIN places v ON v.id = p.village_id GROUP BY s.person_id, v.district_id
            """)).run()
        try await KeptCounts.refill(.womenReached, from: """
            SELECT district_id AS key, SUBSTR(first_day, 1, 7) AS month, COUNT(*) AS count FROM network_reach
            GROUP BY district_id, SUBSTR(first_day, 1, 7)
            """, on: db)
    }

    /// Her village changed: she is counted where she lives now.
    static func moved(_ personID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard let known = try await sql.raw("SELECT first_day, district_id FROM network_reach WHERE person_id = \(bind: personID)").first() else { return }
        let first = try known.decode(column: "first_day", as: String.self), before = try known.decode(column: "district_id", as: UUID?.self)
        let now = try await Self.district(of: personID, on: sql)
        guard now != before else { return }
        try await sql.raw("UPDATE network_reach SET district_id = \(bind: now) WHERE person_id = \(bind: personID)").run()
        var changes: [KeptCounts.Change: Int] = [:]
        if let before { changes[KeptCounts.Change(.womenReached, key: before, month: first)] = -1 }
        if let now { changes[KeptCounts.Change(.womenReached, key: now, month: first)] = 1 }
        try await KeptCounts.add(changes, on: db)
    }

    private static func district(of personID: UUID, on sql: any SQLDatabase) async throws -> UUID? {
        try await sql.raw("SELECT v.district_id FROM people p JOIN places v ON v.id = p.village_id WHERE p.id = \(bind: personID)")
            .first()?.decode(column: "district_id", as: UUID?.self)
    }

    /// Women first reached in each month from `first` ("2026-01") up to `day` (inclusive), and before it
    /// (`KeptCounts.earlier`), keyed by district. Added up they give the women reached by the end of each month.
    public static func firstReached(from first: String, through day: String, on db: any Database) async throws -> [MonthCount] {
        try await KeptCounts.byDistrict(.womenReached, from: first, throughDay: day, less: "network_reach", day: "first_day", district: "district_id", on: db)
    }

    /// Keeps the earlier of two first days (the WHERE of the select settles SQLite's reading of ON CONFLICT).
    private static func upsert(_ select: SQLQueryString) -> SQLQueryString {
        "INSERT INTO network_reach (person_id, first_day, district_id) SELECT * FROM (" + select + """
            ) r WHERE true ON CONFLICT (person_id) DO UPDATE SET
            first_day = CASE WHEN excluded.first_day < network_reach.first_day THEN excluded.first_day ELSE network_reach.first_day END
            """
    }
}

struct CreateNetworkReach: AsyncMigration {
    var name: String { "network.013.create-network-reach" }

    func prepare(on db: any Database) async throws {
        try await db.schema(NetworkReach.table)
            .field("person_id", .uuid, .identifier(auto: false), .references("people", "id"))
            .field("first_day", .string, .required)
            .field("district_id", .uuid, .references("places", "id"))
            .create()
        try await (db as! any SQLDatabase).raw("CREATE INDEX network_reach_by_day ON network_reach (first_day, district_id)").run()
    }

    func revert(on db: any Database) async throws { try await db.schema(NetworkReach.table).delete() }
}

/// A context's migration that adds the women it had served before the table existed.
public struct RecordReach: AsyncMigration {
    public let name: String
    /// Selects `person_id` and `day`.
    let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    public func prepare(on db: any Database) async throws { try await NetworkReach.backfill("\(unsafeRaw: source)", on: db) }
    public func revert(on db: any Database) async throws {}
}
