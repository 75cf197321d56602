import Foundation
import SQLKit
import Synchronization

/// Counts of a form's answers kept in memory until the form's next submission. The network's dashboard
/// shows the needs the baseline survey's women named by district on every view; with a million
/// submissions counting them takes about a second, and they change only when a submission comes in.
/// Each form carries a version that every insert of its submissions moves on (in the same transaction),
/// so any server sharing the database sees the change at its next look (one row read by its key).
enum AnswerCounts {
    struct Key: Hashable {
        let form: UUID
        let version: Int
        let row: String
        let column: String?
        let weight: String?
    }

    /// At most this many tables kept; past it the oldest half goes.
    static let capacity = 64
    private static let tables = Mutex<(kept: [Key: [AnswerCount]], order: [Key])>(([:], []))

    static func version(of form: UUID, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT answers_version FROM needs_forms WHERE id = \(bind: form)").first()?
            .decode(column: "answers_version", as: Int.self) ?? 0
    }

    static func moveOn(form: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE needs_forms SET answers_version = answers_version + 1 WHERE id = \(bind: form)").run()
    }

    static func kept(_ key: Key) -> [AnswerCount]? {
        tables.withLock { $0.kept[key] }
    }

    /// Counts being made, by key: whoever asks for the same counts meanwhile waits for them instead of
    /// counting a million answers again beside it (the dashboards opened as a server starts, while it
    /// counts the survey's needs itself).
    private static let counting = Mutex<[Key: Task<[AnswerCount], any Error>]>([:])

    /// The counts kept under `key`, else those `count` makes (once, however many ask at the same time), kept.
    static func kept(_ key: Key, orCount count: @escaping @Sendable () async throws -> [AnswerCount]) async throws -> [AnswerCount] {
        if let kept = kept(key) { return kept }
        let task = counting.withLock { counting in
            if let running = counting[key] { return running }
            let task = Task {
                defer { _ = Self.counting.withLock { $0.removeValue(forKey: key) } }
                let counts = try await count()
                keep(counts, for: key)
                return counts
            }
            counting[key] = task
            return task
        }
        return try await task.value
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
