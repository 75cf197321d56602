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

/// Every word of every person's folded name beside her full name, in word and then name order, kept by
/// triggers on both databases. A search for a surname the registry holds ten thousand times reads its
/// first page straight from this order — fifty rows per word the search begins — instead of sorting all
/// ten thousand matches by name for each page (docs/PERFORMANCE.md).
struct IndexPeopleNameWords: AsyncMigration {
    var name: String { "network.022.index-people-name-words" }

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase, table = FullTextIndex.people.wordsTable
        let postgres = FullTextIndex.dialect(of: db) == "postgresql"
        // Words compare byte by byte on PostgreSQL whatever the database's collation: a word's beginning is a range.
        try await sql.raw("""
            CREATE TABLE \(unsafeRaw: table) (word TEXT \(unsafeRaw: postgres ? "COLLATE \"C\" " : "")NOT NULL, full_name TEXT NOT NULL,
            person_id UUID NOT NULL, PRIMARY KEY (word, full_name, person_id))\(unsafeRaw: postgres ? "" : " WITHOUT ROWID")
            """).run()
        if postgres {
            try await sql.raw("""
                CREATE FUNCTION \(unsafeRaw: table)_keep() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP <> 'INSERT' THEN
                    DELETE FROM \(unsafeRaw: table) WHERE person_id = OLD.id AND full_name = OLD.full_name
                      AND word = ANY (string_to_array(OLD.search_key, ' '));
                  END IF;
                  IF TG_OP <> 'DELETE' THEN
                    INSERT INTO \(unsafeRaw: table) (word, full_name, person_id)
                      SELECT DISTINCT w, NEW.full_name, NEW.id FROM unnest(string_to_array(NEW.search_key, ' ')) AS w WHERE w <> '';
                  END IF;
                  RETURN NULL;
                END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: table)_keep AFTER INSERT OR DELETE OR UPDATE OF search_key, full_name ON people
                FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: table)_keep()
                """).run()
            try await sql.raw("""
                INSERT INTO \(unsafeRaw: table) (word, full_name, person_id)
                SELECT DISTINCT w, full_name, id FROM people, unnest(string_to_array(search_key, ' ')) AS w WHERE w <> ''
                """).run()
        } else {
            // SQLite splits a folded key (letters and digits between single spaces, never a quote) as a JSON array.
            func words(of row: String) -> String { "json_each('[\"' || replace(\(row).search_key, ' ', '\",\"') || '\"]')" }
            let remove = "DELETE FROM \(table) WHERE word IN (SELECT value FROM \(words(of: "old"))) AND full_name = old.full_name AND person_id = old.id;"
            let add = "INSERT OR IGNORE INTO \(table) (word, full_name, person_id) SELECT value, new.full_name, new.id FROM \(words(of: "new")) WHERE value <> '';"
            for (trigger, event, body) in [
                ("insert", "INSERT", add), ("delete", "DELETE", remove), ("update", "UPDATE OF search_key, full_name", remove + " " + add),
            ] {
                try await sql.raw("CREATE TRIGGER \(unsafeRaw: table)_\(unsafeRaw: trigger) AFTER \(unsafeRaw: event) ON people BEGIN \(unsafeRaw: body) END").run()
            }
            try await sql.raw("""
                INSERT OR IGNORE INTO \(unsafeRaw: table) (word, full_name, person_id)
                SELECT value, p.full_name, p.id FROM people p, \(unsafeRaw: words(of: "p")) WHERE value <> ''
                """).run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase, table = FullTextIndex.people.wordsTable
        if FullTextIndex.dialect(of: db) == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_keep ON people").run()
            try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: table)_keep()").run()
        } else {
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_\(unsafeRaw: trigger)").run()
            }
        }
        try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
    }
}
