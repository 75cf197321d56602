import Foundation
import SQLKit
import Synchronization

/// Counts of a form's answers kept in memory between its submissions. The network's dashboard shows
/// the needs the baseline survey's women named by district on every view; with a million submissions
/// counting them takes a second or more, and they change only when a submission comes in. Each form
/// carries a version that every write of its submissions moves on (in the same transaction), so any
/// server sharing the database sees the change at its next look (one row read by its key). The server
/// that wrote the submissions adds them to the counts it keeps (`carryForward`) rather than count the
/// million again.
enum AnswerCounts {
    /// What a table counts: the answers to one or two questions, each read from the submission or from
    /// an entry of its repeat, and an optional weight (a number question outside any repeat).
    struct Recipe: Hashable {
        struct Answer: Hashable {
            let question: String
            let inEntry: Bool
        }

        let row: Answer
        let column: Answer?
        let weight: String?
        /// The repeat whose entries are counted, one each, when either answer is read from one.
        let entries: String?

        /// The questions it reads outside repeats' entries.
        var answersOutsideEntries: Set<String> {
            Set([row, column].compactMap { $0 }.filter { !$0.inEntry }.map(\.question) + [weight].compactMap { $0 })
        }

        /// Submissions counted by `(row, column)` as the database counts them: a missing answer is
        /// nil, a submission without entries of the repeat is not counted, a missing weight adds to the
        /// count but not to the weights (answers to a number question were checked to be numbers when
        /// stored), and without a weight each counts 1.
        func count(_ submissions: [Answers]) -> [AnswerCount] {
            var cells: [Cell: Sums] = [:]
            for answers in submissions {
                let weight = self.weight.flatMap { answers.values[$0] }.map { Double($0) ?? 0 }
                func add(_ entry: [String: String]) {
                    func read(_ answer: Answer) -> String? { answer.inEntry ? entry[answer.question] : answers.values[answer.question] }
                    cells[Cell(row: read(row), column: column.flatMap(read)), default: Sums()].add(self.weight == nil ? 1 : weight)
                }
                if let entries {
                    for entry in answers.repeats[entries] ?? [] { add(entry) }
                } else {
                    add([:])
                }
            }
            return Cell.counts(cells)
        }
    }

    /// One group of a table, and what it sums.
    private struct Cell: Hashable {
        let row: String?
        let column: String?

        static func counts(_ cells: [Cell: Sums]) -> [AnswerCount] {
            cells.map { AnswerCount(row: $0.key.row, column: $0.key.column, count: $0.value.count, weight: $0.value.weight, weightSquared: $0.value.weightSquared) }
        }
    }

    private struct Sums {
        var count = 0
        var weight = 0.0
        var weightSquared = 0.0

        mutating func add(_ weight: Double?) {
            count += 1
            if let weight {
                self.weight += weight
                weightSquared += weight * weight
            }
        }

        mutating func add(_ other: AnswerCount) {
            count += other.count
            weight += other.weight
            weightSquared += other.weightSquared
        }
    }

    /// Two tables of the same recipe added group by group.
    static func adding(_ more: [AnswerCount], to counts: [AnswerCount]) -> [AnswerCount] {
        var cells: [Cell: Sums] = [:]
        for count in counts + more { cells[Cell(row: count.row, column: count.column), default: Sums()].add(count) }
        return Cell.counts(cells)
    }

    struct Key: Hashable {
        let form: UUID
        let version: Int
        let recipe: Recipe
    }

    /// At most this many tables kept; past it the oldest half goes.
    static let capacity = 64
    private static let tables = Mutex<(kept: [Key: [AnswerCount]], order: [Key])>(([:], []))

    static func version(of form: UUID, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT answers_version FROM needs_forms WHERE id = \(bind: form)").first()?
            .decode(column: "answers_version", as: Int.self) ?? 0
    }

    /// Moves the form's version on, inside the transaction that writes its submissions, and returns the
    /// new one. The row stays locked until the transaction ends, so the new version is exactly the
    /// previous one and this transaction's submissions.
    static func moveOn(form: UUID, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("UPDATE needs_forms SET answers_version = answers_version + 1 WHERE id = \(bind: form) RETURNING answers_version")
            .first()?.decode(column: "answers_version", as: Int.self) ?? 0
    }

    /// After the transaction that moved the form on to `version` with `submissions` has committed: each
    /// table kept of the version before gives one of `version`, the submissions added to it. The older
    /// stays until it is the oldest: a read replica still at that version asks for it. Added in the
    /// background — counting what 100,000 imported answers add takes a fifth of a second, which the
    /// import's answer need not wait for; whoever asks for one of the new tables meanwhile waits for it
    /// (`counting`) instead of counting every answer. `answering`: the questions the submissions' answers
    /// outside repeats were kept for (nil: all of them); a table that reads any other is not carried
    /// forward but counted again when asked for.
    static func carryForward(form: UUID, to version: Int, adding submissions: [Answers], answering: Set<String>? = nil) {
        let previous = tables.withLock { tables in tables.kept.filter { $0.key.form == form && $0.key.version == version - 1 } }
        for (key, counts) in previous where answering.map(key.recipe.answersOutsideEntries.isSubset) ?? true {
            _ = task(for: Key(form: form, version: version, recipe: key.recipe)) {
                (adding(key.recipe.count(submissions), to: counts), keep: true)
            }
        }
    }

    /// The table `recipe` makes of the form's submissions: kept, else counted by `count` (once, however
    /// many ask at the same time) and kept — unless the form moved on while it counted, when the table
    /// may hold submissions of a later version than the one it would be kept under.
    static func counts(form: UUID, recipe: Recipe, on sql: any SQLDatabase,
                       count: @escaping @Sendable () async throws -> [AnswerCount]) async throws -> [AnswerCount] {
        let key = Key(form: form, version: try await version(of: form, on: sql), recipe: recipe)
        return try await kept(key) {
            let counts = try await count()
            return (counts, keep: try await version(of: form, on: sql) == key.version)
        }
    }

    /// The questions outside repeats that the tables kept of the form read: an import keeps its
    /// submissions' answers to these alone, to carry the tables forward.
    static func questionsKept(form: UUID) -> Set<String> {
        tables.withLock { tables in Set(tables.kept.keys.filter { $0.form == form }.flatMap(\.recipe.answersOutsideEntries)) }
    }

    static func kept(_ key: Key) -> [AnswerCount]? {
        tables.withLock { $0.kept[key] }
    }

    /// Counts being made, by key: whoever asks for the same counts meanwhile waits for them instead of
    /// counting a million answers again beside it (the dashboards opened as a server starts, while it
    /// counts the survey's needs itself).
    private static let counting = Mutex<[Key: Task<[AnswerCount], any Error>]>([:])

    /// The counts kept under `key`, else those `count` makes (once, however many ask at the same time),
    /// kept when it says so.
    static func kept(_ key: Key, orCount count: @escaping @Sendable () async throws -> (counts: [AnswerCount], keep: Bool)) async throws -> [AnswerCount] {
        if let kept = kept(key) { return kept }
        return try await task(for: key, count).value
    }

    /// The counts being made under `key`: the task already making them, else a new one with `count`.
    private static func task(for key: Key, _ count: @escaping @Sendable () async throws -> (counts: [AnswerCount], keep: Bool))
        -> Task<[AnswerCount], any Error> {
        counting.withLock { counting in
            if let running = counting[key] { return running }
            let task = Task {
                defer { _ = Self.counting.withLock { $0.removeValue(forKey: key) } }
                let (counts, keepThem) = try await count()
                if keepThem { keep(counts, for: key) }
                return counts
            }
            counting[key] = task
            return task
        }
    }

    static func keep(_ counts: [AnswerCount], for key: Key) {
        tables.withLock { tables in
            if tables.kept.count >= capacity {
                for old in tables.order.prefix(capacity / 2) { tables.kept[old] = nil }
                tables.order.removeFirst(capacity / 2)
            }
            if tables.kept.updateValue(counts, forKey: key) == nil { tables.order.append(key) }
        }
    }
}
