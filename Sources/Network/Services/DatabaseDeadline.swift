import Synchronization

/// The database did not answer in time; nothing of the request is known to be written.
public struct DatabaseUnavailable: Error, Sendable {
    /// A deadline passed (`DatabaseDeadline`): the work may be stuck on a connection for ever.
    public let stuck: Bool

    public init(stuck: Bool = false) { self.stuck = stuck }
}

/// Found 2026-12-02 (scripts/pg-restart-check.py): when PostgreSQL restarts while requests are in
/// flight, a query sent on a connection that is closing at that moment never returns — PostgresNIO
/// 1.33.2 neither answers nor fails it, and nothing is logged. Its request would wait for ever. Work
/// on PostgreSQL is therefore given a deadline: past it, the caller is told the database is
/// unavailable (503) and the stuck task is abandoned. A write sent with an `Idempotency-Key` that was
/// only slow, and commits after all, is then found by its replay; one without a key may have been
/// written although its caller was told otherwise — the deadline is set far above any write's normal
/// time so that only the stuck ones meet it. A stuck task keeps its pooled connection leased; the app
/// replaces the pool when one is found (`PostgresPoolRenewal`), or a few would leave it none.
public enum DatabaseDeadline {
    /// The longest a write transaction on PostgreSQL may take: the largest survey import takes seconds.
    public static let longestWrite: Duration = .seconds(60)

    /// The work's result, or `DatabaseUnavailable` once `limit` has passed without one.
    public static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let answered = Mutex(false)
        return try await withCheckedThrowingContinuation { (reply: CheckedContinuation<T, any Error>) in
            let first: @Sendable (Result<T, any Error>) -> Bool = { result in
                guard answered.withLock({ done in defer { done = true }; return !done }) else { return false }
                reply.resume(with: result)
                return true
            }
            let task = Task {
                do { _ = first(.success(try await work())) } catch { _ = first(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if first(.failure(DatabaseUnavailable(stuck: true))) { task.cancel() }
            }
        }
    }
}
