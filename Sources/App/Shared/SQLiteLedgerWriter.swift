import AsharNetwork
#if canImport(CAffinity)
import CAffinity
#endif
import Fluent
import FluentKit
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import SQLKit
import TimeBank
import Vapor

/// The embedded SQLite's writer for the ledger's group commit and every write transaction of a request
/// (`DedicatedWriterMiddleware`): a connection of its own, whose statements run on a thread of their own
/// and whose batch code runs on an event loop of its own. SQLite allows one writer at a time, so that
/// writer's path is the one that must not wait: on the shared threads each of a batch's statements
/// queued behind the HTTP work of every other request, and the slowest answers under load took 240 ms
/// where they now take 35 (docs/PERFORMANCE.md).
///
/// Its transactions are its own, not Fluent's: Fluent starts a transaction's body, and ends it, each in a
/// task of its own on the shared threads, where it waited behind the HTTP work — a millisecond or two of
/// every batch's few. No one else writes through the connection (bulk loads use it before the server serves).
final class SQLiteLedgerWriter: DedicatedWriter {
    private let threadPool: NIOThreadPool
    private let loops: MultiThreadedEventLoopGroup
    private let databases: Databases
    let executor: EventLoopTaskExecutor
    let db: any Database

    init(path: String, logger: Logger) async throws {
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        databases = Databases(threadPool: threadPool, on: loops)
        databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
        let loop = loops.next()
        executor = EventLoopTaskExecutor(loop)
        db = databases.database(logger: logger, on: loop)!
        // A batch's statements may need a statement journal (a multi-row UPDATE, an upsert): in memory,
        // not a temporary file opened and removed each time. Its own page cache, larger than SQLite's
        // 2 MB default: the indexes a batch touches stay in memory instead of being read back.
        let sql = db as! any SQLDatabase
        try await sql.raw("PRAGMA temp_store = MEMORY").run()
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: Self.cacheKiB)").run()
        await Self.keepOnOneCore(loop, threadPool)
    }

    /// Keeps the writer's event loop and its SQLite thread on one core. They take turns, never both at
    /// work: a statement is handed from the loop to the thread and its answer back. On different cores
    /// each hand-over wakes the other core, a few dozen microseconds on a virtual machine; on one it is
    /// a switch between threads. A round's settlement, fifteen statements: 0.39 → 0.43 of the database's
    /// own rate, transfers under load unchanged (docs/PERFORMANCE.md).
    private static func keepOnOneCore(_ loop: any EventLoop, _ pool: NIOThreadPool) async {
        #if canImport(CAffinity)
        _ = try? await loop.submit { ashar_stay_on_last_cpu() }.get()
        _ = try? await pool.runIfActive(eventLoop: loop) { ashar_stay_on_last_cpu() }.get()
        #endif
    }

    /// Runs `body` in a transaction on the writer's connection, on the writer's thread, in the writers' turn
    /// (`SQLiteWriters`). `BEGIN IMMEDIATE` claims SQLite's write lock at once, so the transaction never
    /// reads first and then finds it cannot write.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let tx = OpenTransaction(base: db, sql: db as! any SQLDatabase)
        return try await withTaskExecutorPreference(executor) {
            try await SQLiteWriters.shared.inTurn {
                try await tx.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(tx)
                    try await tx.raw("COMMIT").run()
                    return result
                } catch {
                    // A failed COMMIT (a full disk) leaves the transaction open: it is rolled back whole.
                    try? await tx.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Runs one statement with `synchronous=NORMAL` for its commit: appended to the write-ahead log, not
    /// waited for on the disk. The log stays whole at a power cut; the statement may be lost from it,
    /// unless a later commit (every other one waits for the disk) has carried it there.
    func runUnsynced(_ statement: SQLQueryString) async throws {
        try await inTurn { sql in
            try await sql.raw("PRAGMA synchronous = NORMAL").run()
            do {
                try await sql.raw(statement).run()
            } catch {
                try? await sql.raw("PRAGMA synchronous = FULL").run()
                throw error
            }
            try await sql.raw("PRAGMA synchronous = FULL").run()
        }
    }

    /// Hands the page cache's memory back (`PRAGMA shrink_memory`) while the server is quiet
    /// (`QuietMemory`): the next writes read their pages again from the system's file cache.
    func releaseCache() async {
        try? await inTurn { try await $0.raw("PRAGMA shrink_memory").run() }
    }

    /// Runs statements outside a transaction of the writer's, on its thread, in the writers' turn.
    private func inTurn(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let sql = db as! any SQLDatabase
        try await withTaskExecutorPreference(executor) {
            try await SQLiteWriters.shared.inTurn { try await body(sql) }
        }
    }

    /// The writer's page cache (negative: in KiB), and the larger one a bulk load gives it for the while.
    static let cacheKiB = "-32768", bulkCacheKiB = "-1000000"

    func shutdown() async {
        await databases.shutdownAsync()
        try? await loops.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
    }
}

/// The writer's connection while `SQLiteLedgerWriter.transaction` holds a transaction open on it: what
/// runs inside sees a database in a transaction, so a service that would begin one joins this one.
private struct OpenTransaction: Database, SQLDatabase {
    let base: any Database
    let sql: any SQLDatabase

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { true }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        base.execute(query: query, onOutput: onOutput)
    }
    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }
    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }
    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }

    var logger: Logger { sql.logger }
    var eventLoop: any EventLoop { sql.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        sql.execute(sql: query, onRow)
    }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await sql.execute(sql: query, onRow)
    }
    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await closure(self) }
}

/// Runs a task's jobs on one NIO event loop: the loop its SQLite connection answers on, so an `await`
/// on a statement resumes where the answer already is.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

struct SQLiteLedgerWriterKey: StorageKey { typealias Value = SQLiteLedgerWriter }

extension Application {
    /// Runs a bulk load (`ashar demo --scale`, `ashar seed`) on the database. On a SQLite file, on the
    /// ledger writer's connection, for the while: with a page cache of a gigabyte, so the index pages a
    /// generated history's batches land on stay in memory; with `synchronous=NORMAL`, so a commit does not
    /// wait for the disk (the write-ahead log still keeps the file whole if the machine stops: a load cut
    /// short loses its last transactions, not the database); and with the log checkpointed every 400 MB,
    /// not every 4 MB, so a page written by many transactions is copied into the file once.
    func bulkLoad<T>(_ body: (any Database) async throws -> T) async throws -> T {
        defer { BulkLoadMemory.giveBack() }
        guard let writer = storage[SQLiteLedgerWriterKey.self] else { return try await body(db) }
        let sql = writer.db as! any SQLDatabase
        let settings = [("cache_size", SQLiteLedgerWriter.bulkCacheKiB, SQLiteLedgerWriter.cacheKiB),
                        ("synchronous", "NORMAL", "FULL"), ("wal_autocheckpoint", "100000", "1000")]
        for (name, bulk, _) in settings { try await sql.raw("PRAGMA \(unsafeRaw: name) = \(unsafeRaw: bulk)").run() }
        let result: Result<T, any Error>
        do { result = .success(try await body(writer.db)) } catch { result = .failure(error) }
        try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        for (name, _, usual) in settings { try await sql.raw("PRAGMA \(unsafeRaw: name) = \(unsafeRaw: usual)").run() }
        return try result.get()
    }
}

/// Work run when the application stops: closing the writer's connection and threads, or a pool of its own.
struct ShutdownWork: LifecycleHandler {
    let shutdown: @Sendable () async -> Void
    func shutdownAsync(_ application: Application) async { await shutdown() }
}

/// Runs each request with the server's SQLite writer as the one its write transactions go to.
struct DedicatedWriterMiddleware: AsyncMiddleware {
    let writer: SQLiteLedgerWriter
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await DedicatedWriters.$current.withValue(writer) { try await next.respond(to: request) }
    }
}
