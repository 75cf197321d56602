import FluentKit
import SQLKit

/// A stamp that the database's own triggers change whenever a row of any of some tables is inserted,
/// updated or deleted, whoever writes. What is worked out from those tables can be kept in memory under
/// the stamp it was read with, and any server sharing the database sees a change at its next look (one
/// row read by key). A new stamp is random, so two databases never share one.
public enum ChangeStamps {
    /// The stamp kept as `name`, if one is.
    public static func current(_ name: String, on db: any Database) async throws -> String? {
        try await (db as! any SQLDatabase).raw("SELECT stamp FROM change_stamps WHERE name = \(bind: name)")
            .first()?.decode(column: "stamp", as: String.self)
    }

    /// Creates the table the stamps are kept in.
    public static func create(on db: any Database) async throws {
        try await db.schema("change_stamps")
            .field("name", .string, .identifier(auto: false))
            .field("stamp", .string, .required)
            .create()
    }

    /// Starts changing `name`'s stamp on every write to `tables`.
    public static func watch(_ name: String, tables: [String], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let fresh = sql.dialect.name == "postgresql" ? "md5(random()::text || clock_timestamp()::text)" : "lower(hex(randomblob(16)))"
        try await sql.raw("INSERT INTO change_stamps (name, stamp) VALUES (\(bind: name), \(unsafeRaw: fresh))").run()
        let change = "UPDATE change_stamps SET stamp = \(fresh) WHERE name = '\(name)'"
        if sql.dialect.name == "postgresql" {
            // Once per statement: a bulk write changes the stamp once.
            try await sql.raw("""
                CREATE FUNCTION \(unsafeRaw: name)_changed() RETURNS trigger AS $$ BEGIN \(unsafeRaw: change); RETURN NULL; END $$ LANGUAGE plpgsql
                """).run()
            for table in tables {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: name)_changed AFTER INSERT OR UPDATE OR DELETE ON \(ident: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(unsafeRaw: name)_changed()
                    """).run()
            }
        } else {
            for table in tables {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: name)_\(unsafeRaw: table)_\(unsafeRaw: event.lowercased()) AFTER \(unsafeRaw: event) ON \(ident: table)
                        BEGIN \(unsafeRaw: change); END
                        """).run()
                }
            }
        }
    }

    /// Stops changing `name`'s stamp: drops what `watch` made.
    public static func stopWatching(_ name: String, tables: [String], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in tables {
            if sql.dialect.name == "postgresql" {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)_changed ON \(ident: table)").run()
            } else {
                for event in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)_\(unsafeRaw: table)_\(unsafeRaw: event)").run()
                }
            }
        }
        if sql.dialect.name == "postgresql" { try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: name)_changed()").run() }
        try await sql.raw("DELETE FROM change_stamps WHERE name = \(bind: name)").run()
    }
}
