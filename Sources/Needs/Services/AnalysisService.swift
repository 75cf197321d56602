import FluentKit
import Foundation
import Kernel
import SQLKit

/// Frequencies and cross-tabs of a form's submissions. The database counts the distinct answers (a
/// few hundred rows however many submissions there are); the rules in `Tabulation` turn them into
/// categories, shares and intervals.
public struct AnalysisService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Words the analysis needs in the reader's language: `age_band` and `other`.
    public typealias Labels = [String: String]

    public func frequencies(form formID: UUID, question: String, weight: String?, language: String, labels: Labels) async throws -> Frequencies {
        let form = try await FormService(db: db).form(formID)
        let dimension = try Dimension.of(question, in: form.definition, language: language, labels: labels)
        let counts = try await count(form: formID, row: dimension, column: nil, weight: try weightQuestion(weight, form.definition))
        return Frequencies(dimension, counts: counts)
    }

    public func crosstab(form formID: UUID, row: String, column: String, weight: String?, language: String, labels: Labels) async throws -> CrossTab {
        let form = try await FormService(db: db).form(formID)
        let rowDimension = try Dimension.of(row, in: form.definition, language: language, labels: labels)
        let columnDimension = try Dimension.of(column, in: form.definition, language: language, labels: labels)
        let counts = try await count(form: formID, row: rowDimension, column: columnDimension, weight: try weightQuestion(weight, form.definition))
        return CrossTab(row: rowDimension, column: columnDimension, counts: counts)
    }

    /// A weight is a number question outside any repeat.
    func weightQuestion(_ name: String?, _ form: FormDefinition) throws -> String? {
        guard let name, !name.isEmpty else { return nil }
        guard let question = form.question(name), question.kind == .integer || question.kind == .decimal,
              form.repeatName(of: question) == nil else {
            throw DomainError("needs.analysis.weight-invalid", field: "weight", arguments: ["name": name])
        }
        return name
    }

    /// Submissions counted by their answers to one or two questions; entries of a repeat when either
    /// is asked in one (each entry with its submission's answers outside the repeat).
    func count(form formID: UUID, row: Dimension, column: Dimension?, weight: String?) async throws -> [AnswerCount] {
        let repeats = Set([row.repeatName, column?.repeatName].compactMap { $0 })
        guard repeats.count <= 1 else {
            throw DomainError("needs.analysis.repeats-differ", field: column?.name, arguments: ["row": row.name, "column": column?.name ?? ""])
        }
        let recipe = AnswerCounts.Recipe(row: .init(question: row.question, inEntry: row.repeatName != nil),
                                         column: column.map { .init(question: $0.question, inEntry: $0.repeatName != nil) },
                                         weight: weight, entries: repeats.first)
        return try await AnswerCounts.counts(form: formID, recipe: recipe, on: db as! any SQLDatabase) { [db] in
            try await Self.count(recipe, form: formID, on: db)
        }
    }

    /// The table counted by the database, over every submission of the form.
    static func count(_ recipe: AnswerCounts.Recipe, form formID: UUID, on db: any Database) async throws -> [AnswerCount] {
        let store = AnswerStore(sql: db as! any SQLDatabase)
        func answer(_ answer: AnswerCounts.Recipe.Answer) -> SQLQueryString {
            answer.inEntry ? store.entryAnswer(answer.question) : store.answer(answer.question)
        }
        let columnExpression: SQLQueryString = recipe.column.map(answer) ?? "NULL"
        let weights: SQLQueryString = recipe.weight == nil
            ? "CAST(COUNT(*) AS \(unsafeRaw: store.real)) AS w, CAST(COUNT(*) AS \(unsafeRaw: store.real)) AS w2"
            : "SUM(w) AS w, SUM(w * w) AS w2"
        let answered = store.grouped("""
            SELECT \(answer(recipe.row)) AS r, \(columnExpression) AS c, \(recipe.weight.map(store.number) ?? "NULL") AS w
            FROM \(recipe.entries.map(store.entries) ?? "needs_submissions") WHERE form_id = \(bind: formID)
            """)
        let rows = try await store.sorting(on: db) { sql in
            try await sql.raw("SELECT r, c, COUNT(*) AS n, \(weights) FROM \(answered) GROUP BY r, c").all()
        }
        return try rows.map { row in
            AnswerCount(row: try row.decode(column: "r", as: String?.self), column: try row.decode(column: "c", as: String?.self),
                        count: try row.decode(column: "n", as: Int.self),
                        weight: try row.decode(column: "w", as: Double?.self) ?? 0, weightSquared: try row.decode(column: "w2", as: Double?.self) ?? 0)
        }
    }
}
