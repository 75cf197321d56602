import FluentKit
import SQLKit

/// A full-text index of the people's folded names on SQLite (FTS5, external content: the words and
/// which rows hold them, not a copy of the names), kept by triggers whoever writes — a service, the
/// generator's bulk load, a copy from another office. A search for a common surname read all 200,000
/// folded names of a national registry to count its matches; the index hands over just the matches.
/// PostgreSQL has its own (`IndexPeopleWords`).
struct IndexPeopleSearch: AsyncMigration {
    var name: String { "network.020.index-people-search" }

    func prepare(on db: any Database) async throws {
        guard FullTextIndex.isKept(by: db) else { return }
        let sql = db as! any SQLDatabase, table = FullTextIndex.people.table
        // Folded keys are lowercase ASCII letters and digits between spaces; no diacritics to remove.
        try await sql.raw("""
            CREATE VIRTUAL TABLE \(unsafeRaw: table) USING fts5(search_key, content='people', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')
            """).run()
        let remove = "INSERT INTO \(table)(\(table), rowid, search_key) VALUES ('delete', old.rowid, old.search_key);"
        let add = "INSERT INTO \(table)(rowid, search_key) VALUES (new.rowid, new.search_key);"
        for (trigger, event, body) in [
            ("insert", "INSERT", add), ("delete", "DELETE", remove), ("update", "UPDATE OF search_key", remove + " " + add),
        ] {
            try await sql.raw("CREATE TRIGGER people_search_\(unsafeRaw: trigger) AFTER \(unsafeRaw: event) ON people BEGIN \(unsafeRaw: body) END").run()
        }
        try await sql.raw("INSERT INTO \(unsafeRaw: table)(\(unsafeRaw: table)) VALUES ('rebuild')").run()
    }

    func revert(on db: any Database) async throws {
        guard FullTextIndex.isKept(by: db) else { return }
        let sql = db as! any SQLDatabase
        for trigger in ["insert", "delete", "update"] {
            try await sql.raw("DROP TRIGGER IF EXISTS people_search_\(unsafeRaw: trigger)").run()
        }
        try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: FullTextIndex.people.table)").run()
    }
}

/// The same on PostgreSQL: a GIN index of the words of the people's folded names, which a prefix query
/// (`'abdik':*`) reads for the names with a word so beginning. A name searched in a national registry
/// read all 200,000 names with LIKE, twice (the count and the page): 113 ms.
struct IndexPeopleWords: AsyncMigration {
    var name: String { "network.021.index-people-words" }

    func prepare(on db: any Database) async throws {
        guard FullTextIndex.dialect(of: db) == "postgresql" else { return }
        let index = FullTextIndex.people
        try await (db as! any SQLDatabase).raw("""
            CREATE INDEX \(ident: index.postgresIndex) ON \(ident: index.source) USING gin (\(unsafeRaw: FullTextIndex.postgresWords))
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard FullTextIndex.dialect(of: db) == "postgresql" else { return }
        try await (db as! any SQLDatabase).raw("DROP INDEX IF EXISTS \(ident: FullTextIndex.people.postgresIndex)").run()
    }
}
