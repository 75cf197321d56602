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
        for word in words {
            // A folded key holds lowercase letters and digits between single spaces, so a word's start
            // is a space before it; on SQLite a plain substring test reads keys in a third of LIKE's time.
            if sqlite {
                filter(.custom("instr(' ' || \(column), \(bind: " " + word)) > 0" as SQLQueryString))
            } else {
                filter(.custom("(' ' || \(column)) LIKE \(bind: "% " + word + "%")" as SQLQueryString))
            }
        }
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

    /// The people's folded names.
    public static let people = FullTextIndex(table: "people_search", source: "people", postgresIndex: "people_search_words")

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
        case "postgresql": matches = "\(ident: source) WHERE \(postgresMatching(words))"
        default: return nil
        }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(matches)").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// On PostgreSQL, the ids of one page of the rows matching `text`, in `order` (columns of the table).
    /// The matches are gathered first and then sorted: written as a filter beside `ORDER BY … LIMIT`, the
    /// planner walks the order's index instead, and a surname late in the alphabet took half a second
    /// at national scale (docs/PERFORMANCE.md). Nil on other databases: their filter does it.
    public func page(of text: String, order: [String], offset: Int, limit: Int, on db: any Database) async throws -> [UUID]? {
        guard Self.dialect(of: db) == "postgresql", let sql = db as? any SQLDatabase else { return nil }
        let words = SearchKey.fold(text).split(separator: " ")
        guard !words.isEmpty else { return [] }
        let sorted = SQLList(order.map { SQLIdentifier($0) }), read = SQLList((["id"] + order.filter { $0 != "id" }).map { SQLIdentifier($0) })
        return try await sql.raw("""
            WITH m AS MATERIALIZED (SELECT \(read) FROM \(ident: source) WHERE \(postgresMatching(words)))
            SELECT id FROM m ORDER BY \(sorted) LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
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
