import FluentKit
import SQLKit

/// How many rows a table holds, kept by the database's own triggers on every insert and delete, whoever
/// writes (a service, a bulk load, a copy from another server): the registry's first page counted all
/// 200,000 people for its total, a tenth of its time at national scale.
public enum RowTotals {
    /// The kept total of `table`, one row read by key.
    public static func of(_ table: String, on db: any Database) async throws -> Int {
        try await (db as! any SQLDatabase).raw("SELECT total FROM row_totals WHERE table_name = \(bind: table)")
            .first()?.decode(column: "total", as: Int.self) ?? 0
    }

    /// Starts keeping `table`'s total: counts it once, then lets triggers move it.
    static func keep(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("INSERT INTO row_totals (table_name, total) SELECT \(bind: table), COUNT(*) FROM \(ident: table)").run()
        switch sql.dialect.name {
        case "sqlite":
            for (event, step) in [("INSERT", "+ 1"), ("DELETE", "- 1")] {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_total_\(unsafeRaw: event.lowercased()) AFTER \(unsafeRaw: event) ON \(ident: table)
                    BEGIN UPDATE row_totals SET total = total \(unsafeRaw: step) WHERE table_name = '\(unsafeRaw: table)'; END
                    """).run()
            }
        case "postgresql":
            // Once per statement, with the rows it changed: a bulk insert moves the total once.
            for (event, rows, sign) in [("INSERT", "NEW", "+"), ("DELETE", "OLD", "-")] {
                let function = "\(table)_total_\(event.lowercased())"
                try await sql.raw("""
                    CREATE FUNCTION \(unsafeRaw: function)() RETURNS trigger AS $$
                    BEGIN UPDATE row_totals SET total = total \(unsafeRaw: sign) (SELECT COUNT(*) FROM changed) WHERE table_name = '\(unsafeRaw: table)'; RETURN NULL; END $$ LANGUAGE plpgsql
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: function) AFTER \(unsafeRaw: event) ON \(ident: table)
                    REFERENCING \(unsafeRaw: rows) TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION \(unsafeRaw: function)()
                    """).run()
            }
        default:
            break
        }
    }

    /// Stops keeping `table`'s total: drops what `keep` made, leaving the totals of other tables.
    static func stopKeeping(_ table: String, on sql: any SQLDatabase) async throws {
        for event in ["insert", "delete"] {
            if sql.dialect.name == "postgresql" {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_total_\(unsafeRaw: event) ON \(ident: table)").run()
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: table)_total_\(unsafeRaw: event)()").run()
            } else {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_total_\(unsafeRaw: event)").run()
            }
        }
        try await sql.raw("DELETE FROM row_totals WHERE table_name = \(bind: table)").run()
    }
}

/// The registry's total of people, kept (see `RowTotals`).
struct KeepPeopleTotal: AsyncMigration {
    var name: String { "network.018.keep-people-total" }
    func prepare(on db: any Database) async throws {
        try await db.schema("row_totals")
            .field("table_name", .string, .identifier(auto: false))
            .field("total", .int64, .required)
            .create()
        try await RowTotals.keep("people", on: db as! any SQLDatabase)
    }
    func revert(on db: any Database) async throws {
        try await RowTotals.stopKeeping("people", on: db as! any SQLDatabase)
        try await db.schema("row_totals").delete()
    }
}
