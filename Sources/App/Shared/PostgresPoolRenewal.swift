import AsharNetwork
import Fluent
import FluentPostgresDriver
import Foundation
import Synchronization
import Vapor

/// A write that met its deadline on PostgreSQL (`DatabaseDeadline`) is stuck on a connection that
/// closed under it, and keeps that connection leased for ever: a few of those and the pool has none
/// left, and every request waits for one in vain. When one is found, the pool is replaced: the old one
/// is shut down (its stuck leases abandoned, requests still holding it answered 503), and the next
/// request opens a new one. Stuck writes come together (a database restart), so one renewal serves
/// those found within a few seconds of it.
final class PostgresPoolRenewal: Sendable {
    private let lastRenewed = Mutex<ContinuousClock.Instant?>(nil)

    func renew(_ app: Application) {
        let now = ContinuousClock.now
        let due = lastRenewed.withLock { last in
            if let last, now - last < .seconds(10) { return false }
            last = now
            return true
        }
        guard due else { return }
        app.logger.warning("replacing the PostgreSQL connection pool: a write was stuck on a closed connection")
        // The old pool's shutdown waits for its idle connections to close: not on a cooperative thread.
        Thread.detachNewThread { app.databases.reinitialize(.psql) }
    }
}

extension Application {
    private struct PostgresPoolRenewalKey: StorageKey { typealias Value = PostgresPoolRenewal }

    /// Set when the app runs on PostgreSQL.
    var postgresPoolRenewal: PostgresPoolRenewal? {
        get { storage[PostgresPoolRenewalKey.self] }
        set { storage[PostgresPoolRenewalKey.self] = newValue }
    }
}
