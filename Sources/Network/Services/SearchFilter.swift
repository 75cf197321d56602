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

/// An FTS5 index of a table's folded search keys, on SQLite: it hands a search the rows that match
/// without reading every key.
public struct FullTextIndex: Sendable {
    let table: String

    /// The people's folded names (`IndexPeopleSearch`).
    public static let people = FullTextIndex(table: "people_search")

    /// Whether `db` keeps full-text indexes: SQLite does; PostgreSQL searches without them.
    static func isKept(by db: any Database) -> Bool { (db as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// How many rows have a word beginning with each word of `text`: the index's own count, no row read.
    /// Nil where `db` keeps no such index.
    public func count(of text: String, on db: any Database) async throws -> Int? {
        guard Self.isKept(by: db), let sql = db as? any SQLDatabase else { return nil }
        let words = SearchKey.fold(text).split(separator: " ")
        guard !words.isEmpty else { return 0 }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(matching(words))").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    func matching(_ words: [Substring]) -> SQLQueryString {
        // Each word quoted (folded: letters and digits only), `*` for "begins with", spaces for "and".
        "\(ident: table) MATCH \(bind: words.map { "\"\($0)\"*" }.joined(separator: " "))"
    }
}
