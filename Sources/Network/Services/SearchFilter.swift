import Foundation
import FluentKit
import Kernel
import SQLKit

extension QueryBuilder {
    /// Keeps rows whose folded search key has a word beginning with each word of `text`, in any order,
    /// so "Нургүл Сыдык" finds "Сыдыкова Нургүл". Blank text filters nothing.
    ///
    /// `index`: the table's full-text index, used on SQLite where one exists (`IndexPeopleSearch`).
    @discardableResult
    public func matchingEveryWord(of text: String?, in key: KeyPath<Model, FieldProperty<Model, String>>, index: FullTextIndex? = nil) -> Self {
        let words = SearchKey.fold(text ?? "").split(separator: " ")
        guard !words.isEmpty else { return self }
        let column = SQLColumn(Model.path(for: key).map(\.description).joined(separator: "_"), table: Model.schemaOrAlias)
        let sqlite = (database as? any SQLDatabase)?.dialect.name == "sqlite"
        if let index, FullTextIndex.isKept(by: database) {
            let rowid = SQLColumn("rowid", table: Model.schemaOrAlias)
            return filter(.custom("\(rowid) IN (SELECT rowid FROM \(ident: index.table) WHERE \(index.matching(words)))" as SQLQueryString))
        }
        for word in words { filter(.custom(FullTextIndex.hasWord(beginning: word, in: column, sqlite: sqlite))) }
        return self
    }
}

/// A full-text index of a table's folded search keys: it hands a search the rows that match without
/// reading every key. On SQLite an FTS5 table (`IndexPeopleSearch`); on PostgreSQL a GIN index of the
/// keys' words (`IndexPeopleWords`), read with a prefix query.
public struct FullTextIndex: Sendable {
    /// SQLite's FTS5 table.
    let table: String
    /// The table whose `search_key` is indexed, and PostgreSQL's name for its index.
    let source: String, postgresIndex: String
    /// Each word of each row's key beside the row's name, on both databases (`IndexPeopleNameWords`).
    let wordsTable: String

    /// The people's folded names.
    public static let people = FullTextIndex(table: "people_search", source: "people", postgresIndex: "people_search_words",
                                                 wordsTable: "people_name_words")

    /// Whether `db` keeps full-text indexes that a filter inside any query can use: SQLite's can. On
    /// PostgreSQL the index serves `count` and `page`, whose SQL is their own (see `page`).
    static func isKept(by db: any Database) -> Bool { dialect(of: db) == "sqlite" }

    static func dialect(of db: any Database) -> String? { (db as? any SQLDatabase)?.dialect.name }

    /// How many rows have a word beginning with each word of `text`, from the index. Nil where `db`
    /// keeps no such index.
    public func count(of text: String, on db: any Database) async throws -> Int? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let words = SearchKey.fold(text).split(separator: " ")
        guard !words.isEmpty else { return 0 }
        let matches: SQLQueryString
        switch sql.dialect.name {
        case "sqlite": matches = "\(ident: table) WHERE \(matching(words))"
        // One word: its range of the words table, read from the index alone (4–6 ms for 10,000 matches at
        // national scale, where the GIN index rechecks every row it finds: 10–13 ms).
        case "postgresql" where words.count == 1:
            matches = "(SELECT DISTINCT person_id FROM \(ident: wordsTable) WHERE \(wordRange(beginning: words[0]))) AS w"
        case "postgresql": matches = "\(ident: source) WHERE \(postgresMatching(words))"
        default: return nil
        }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(matches)").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The ids of one page of the rows matching `text`, in name order (then id). The words table
    /// (`IndexPeopleNameWords`) holds each name under each of its words in name order, so a page is the
    /// first rows under each word that begins the search's longest word, merged: the cost of a page, not of
    /// every match. Its other words are checked on those rows. When the longest word begins too many
    /// words to merge (a letter or two), PostgreSQL gathers the matches and sorts them — written as a
    /// filter beside `ORDER BY … LIMIT`, its planner walked the name index instead, half a second for a
    /// surname late in the alphabet — and SQLite leaves it to the caller's filter (nil).
    public func page(of text: String, offset: Int, limit: Int, on db: any Database) async throws -> [UUID]? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let words = SearchKey.fold(text).split(separator: " ")
        guard let lead = words.max(by: { $0.count < $1.count }) else { return [] }
        let sqlite = sql.dialect.name == "sqlite"
        if let begun = try await wordsBeginning(lead, on: sql) {
            guard !begun.isEmpty else { return [] }
            let others = words.filter { $0 != lead }
            let join: SQLQueryString = others.isEmpty ? "" : " JOIN \(ident: source) s ON s.id = w.person_id"
            let checks = others.map { " AND " + Self.hasWord(beginning: $0, in: SQLColumn("search_key", table: "s"), sqlite: sqlite) }
            let branches = begun.enumerated().map { index, word -> SQLQueryString in
                let head: SQLQueryString = "SELECT * FROM (SELECT w.full_name, w.person_id FROM \(ident: wordsTable) w"
                let filter: SQLQueryString = " WHERE w.word = \(bind: word)" + checks.joined()
                let tail: SQLQueryString = " ORDER BY w.full_name, w.person_id LIMIT \(bind: offset + limit)) AS \(ident: "b\(index)")"
                return head + join + filter + tail
            }
            return try await sql.raw("SELECT DISTINCT full_name, person_id FROM (" + branches.joined(separator: " UNION ALL ")
                + ") AS m ORDER BY full_name, person_id LIMIT \(bind: limit) OFFSET \(bind: offset)")
                .all().map { try $0.decode(column: "person_id", as: UUID.self) }
        }
        guard !sqlite else { return nil }
        return try await sql.raw("""
            WITH m AS MATERIALIZED (SELECT id, full_name FROM \(ident: source) WHERE \(postgresMatching(words)))
            SELECT id FROM m ORDER BY full_name, id LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// The distinct words of the words table that begin with `prefix`, read by skipping from one to the
    /// next along its index; nil when there are more than a page's merge should take.
    func wordsBeginning(_ prefix: Substring, on sql: any SQLDatabase) async throws -> [String]? {
        let most = 64
        let found = try await sql.raw("""
            WITH RECURSIVE found(word, n) AS (
              SELECT MIN(word), 1 FROM \(ident: wordsTable) WHERE \(wordRange(beginning: prefix))
              UNION ALL
              SELECT (SELECT MIN(word) FROM \(ident: wordsTable) WHERE word > found.word AND \(wordRange(beginning: prefix))), n + 1
              FROM found WHERE word IS NOT NULL AND n <= \(bind: most))
            SELECT word FROM found WHERE word IS NOT NULL
            """).all().map { try $0.decode(column: "word", as: String.self) }
        return found.count > most ? nil : found
    }

    /// The words table's words that begin with `prefix`, as a range of its key: each sorts at or above the
    /// prefix and below the prefix followed by the last code point.
    func wordRange(beginning prefix: Substring) -> SQLQueryString {
        "word >= \(bind: String(prefix)) AND word < \(bind: prefix + "\u{10FFFF}")"
    }

    /// A folded key (lowercase letters and digits between single spaces) has a word beginning with
    /// `word`: a space before it. On SQLite a plain substring test reads keys in a third of LIKE's time.
    static func hasWord(beginning word: Substring, in column: SQLColumn, sqlite: Bool) -> SQLQueryString {
        sqlite ? "instr(' ' || \(column), \(bind: " " + word)) > 0" : "(' ' || \(column)) LIKE \(bind: "% " + word + "%")"
    }

    func matching(_ words: [Substring]) -> SQLQueryString {
        // Each word quoted (folded: letters and digits only), `*` for "begins with", spaces for "and".
        "\(ident: table) MATCH \(bind: words.map { "\"\($0)\"*" }.joined(separator: " "))"
    }

    /// The words of a folded key as PostgreSQL's index holds them: a query must say the same to use it.
    static let postgresWords = "to_tsvector('simple', search_key)"

    /// The words' beginnings, every one, as PostgreSQL's text search reads them.
    func postgresMatching(_ words: [Substring]) -> SQLQueryString {
        "\(unsafeRaw: Self.postgresWords) @@ to_tsquery('simple', \(bind: words.map { "'\($0)':*" }.joined(separator: " & ")))"
    }
}
