import FluentKit
import Synchronization

/// A write was found stuck on a connection that has closed (`StuckWrites`): the database cannot answer
/// it, and nothing of it is known to be written.
public struct DatabaseUnavailable: Error, Sendable {
    public init() {}
}

/// Found 2026-12-02 (scripts/pg-restart-check.py): when PostgreSQL restarts while requests are in
/// flight, a query sent on a connection that is closing at that moment never returns — PostgresNIO
/// 1.33.2 writes it to the channel without a promise, so when the channel closed just before, nobody
/// fails it, and nothing is logged. Its request would wait for ever, holding its pooled connection.
///
/// A write transaction on PostgreSQL is therefore watched: every few seconds while it runs, its
/// connection is looked at, and once that has closed the work cannot end by itself — the caller is
/// told the database is unavailable (503) and the stuck task is abandoned. A slow write on a live
/// connection is left alone, however long it takes. The app says how to look at a connection
/// (`lookAtConnections`) and replaces the pool when a write was stuck.
public enum StuckWrites {
    /// How long a write runs before its connection is first looked at, and then how often.
    static let interval: Duration = .seconds(5)

    private static let connectionClosed = Mutex<(@Sendable (any Database) async -> Bool)?>(nil)

    /// How to tell that the connection a transaction runs on has closed (set by the app for PostgreSQL).
    public static func lookAtConnections(with closed: @escaping @Sendable (any Database) async -> Bool) {
        connectionClosed.withLock { $0 = closed }
    }

    /// The connection a watched transaction runs on, once it has begun.
    final class Watched: Sendable {
        private let held = Mutex<(any Database)?>(nil)
        func began(on tx: any Database) { held.withLock { $0 = tx } }
        var connection: (any Database)? { held.withLock { $0 } }
    }

    /// The work's result; `DatabaseUnavailable` if it is still running on a connection
    /// (the transaction it tells `Watched` it began) that has closed.
    static func watching<T: Sendable>(_ work: @escaping @Sendable (Watched) async throws -> T) async throws -> T {
        let watched = Watched()
        guard let closed = connectionClosed.withLock({ $0 }) else { return try await work(watched) }
        let answered = Mutex(false)
        return try await withCheckedThrowingContinuation { (reply: CheckedContinuation<T, any Error>) in
            let first: @Sendable (Result<T, any Error>) -> Bool = { result in
                guard answered.withLock({ done in defer { done = true }; return !done }) else { return false }
                reply.resume(with: result)
                return true
            }
            let isAnswered: @Sendable () -> Bool = { answered.withLock { $0 } }
            // The stuck task is abandoned, not cancelled: what it waits for answers no cancellation.
            let watcher = Task {
                while !isAnswered() {
                    try? await Task.sleep(for: interval)
                    if let tx = watched.connection, !isAnswered(), await closed(tx) { _ = first(.failure(DatabaseUnavailable())) }
                }
            }
            Task {
                do { _ = first(.success(try await work(watched))) } catch { _ = first(.failure(error)) }
                watcher.cancel()
            }
        }
    }
}
