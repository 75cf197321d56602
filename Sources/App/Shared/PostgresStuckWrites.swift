import AsharNetwork
import Fluent
import FluentPostgresDriver
import Foundation
import PostgresKit
import Synchronization
import Vapor

/// What the app does about writes stuck on a closed PostgreSQL connection (`StuckWrites`): it tells
/// the watcher how to look at a transaction's connection, and replaces the pool once one is found. A
/// stuck write keeps its pooled connection leased for ever: a few of those and the pool has none left,
/// and every request waits for one in vain. The old pool is shut down (its stuck leases abandoned,
/// requests still holding it answered 503) and the next request opens a new one. Stuck writes come
/// together (a database restart), so one renewal serves those found within a few seconds of it.
final class PostgresStuckWrites: Sendable {
    private let lastRenewed = Mutex<ContinuousClock.Instant?>(nil)

    /// Watches the app's write transactions on PostgreSQL from now on.
    init() {
        StuckWrites.lookAtConnections { db in
            // Inside a transaction the database is its one connection: this only reads its state.
            guard let postgres = db as? any PostgresDatabase else { return false }
            return (try? await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0.isClosed) }.get()) ?? false
        }
    }

    func renewPool(of app: Application) {
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
    private struct PostgresStuckWritesKey: StorageKey { typealias Value = PostgresStuckWrites }

    /// Set when the app runs on PostgreSQL.
    var postgresStuckWrites: PostgresStuckWrites? {
        get { storage[PostgresStuckWritesKey.self] }
        set { storage[PostgresStuckWritesKey.self] = newValue }
    }
}
