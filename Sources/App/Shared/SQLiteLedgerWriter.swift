import Fluent
import FluentKit
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import Vapor

/// The embedded SQLite's writer for the ledger's group commit: a connection of its own, whose statements
/// run on a thread of their own and whose batch code runs on an event loop of its own. SQLite allows one
/// writer at a time, so that writer's path is the one that must not wait: on the shared threads each of
/// a batch's statements queued behind the HTTP work of every other request, and the slowest answers
/// under load took 240 ms where they now take 35 (docs/PERFORMANCE.md).
final class SQLiteLedgerWriter: Sendable {
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
        databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1, sqlLogLevel: nil), as: .sqlite)
        let loop = loops.next()
        executor = EventLoopTaskExecutor(loop)
        db = databases.database(logger: logger, on: loop)!
        // A batch's statements may need a statement journal (a multi-row UPDATE, an upsert): in memory,
        // not a temporary file opened and removed each time. Its own page cache, larger than SQLite's
        // 2 MB default: the indexes a batch touches stay in memory instead of being read back.
        let sql = db as! any SQLDatabase
        try await sql.raw("PRAGMA temp_store = MEMORY").run()
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: Self.cacheKiB)").run()
    }

    /// The writer's page cache (negative: in KiB), and the larger one a bulk load gives it for the while.
    static let cacheKiB = "-32768", bulkCacheKiB = "-1000000"

    func shutdown() async {
        await databases.shutdownAsync()
        try? await loops.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
    }
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
    /// ledger writer's connection with a page cache of a gigabyte for the while, so that the index pages
    /// a generated history's batches land on, at random across gigabytes, stay in memory.
    func bulkLoad<T>(_ body: (any Database) async throws -> T) async throws -> T {
        guard let writer = storage[SQLiteLedgerWriterKey.self] else { return try await body(db) }
        let sql = writer.db as! any SQLDatabase
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: SQLiteLedgerWriter.bulkCacheKiB)").run()
        let result: Result<T, any Error>
        do { result = .success(try await body(writer.db)) } catch { result = .failure(error) }
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: SQLiteLedgerWriter.cacheKiB)").run()
        return try result.get()
    }
}

/// Closes the writer's connection and threads when the application stops.
struct SQLiteLedgerWriterShutdown: LifecycleHandler {
    let writer: SQLiteLedgerWriter
    func shutdownAsync(_ application: Application) async { await writer.shutdown() }
}
