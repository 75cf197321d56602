import AsharNetwork
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Kernel
import Leaf
import SQLKit
import LeafKit
import Localization
import Needs
import Partnerships
import Referrals
import Reporting
import Certification
import Training
import Producers
import TimeBank
import Vapor

/// Where Ashar keeps its data: an embedded SQLite file by default, PostgreSQL when `DATABASE_URL` says so.
public enum DatabaseChoice: Sendable {
    case sqliteFile(String)
    case sqliteMemory
    /// A PostgreSQL URL, and optionally the schema to keep Ashar's tables in (several networks, or
    /// parallel tests, can share one server that way).
    case postgres(String, schema: String? = nil)

    /// `DATABASE_URL` (and `DATABASE_SCHEMA`) if set; otherwise `ashar.sqlite` in `ASHAR_DATA_DIR`
    /// (default: the working directory).
    public static func fromEnvironment() -> DatabaseChoice {
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty {
            return .postgres(url, schema: Environment.get("DATABASE_SCHEMA").flatMap { $0.isEmpty ? nil : $0 })
        }
        return .sqliteFile(dataDirectory() + "/ashar.sqlite")
    }

    public static func dataDirectory() -> String {
        let dir = Environment.get("ASHAR_DATA_DIR").flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.currentDirectoryPath
        return dir.hasSuffix("/") ? String(dir.dropLast()) : dir
    }

    var description: String {
        switch self {
        case .sqliteFile(let path): "SQLite (\(path))"
        case .sqliteMemory: "SQLite (memory)"
        case .postgres(_, let schema): "PostgreSQL" + (schema.map { " (schema \($0))" } ?? "")
        }
    }
}

/// Builds the whole application on the given database. The executable and the tests both call it.
public func configure(_ app: Application, database: DatabaseChoice) async throws {
    // Scanned agreements and certification files live beside the data (a test keeps its own in a temporary directory).
    if app.environment == .testing {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-files-\(UUID().uuidString)")
        app.agreementScans = files.appendingPathComponent("agreements")
        app.certificationFiles = CertificationFiles(root: files.appendingPathComponent("certification"))
    } else if case .sqliteFile(let path) = database {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        app.agreementScans = directory.appendingPathComponent("agreements")
        app.certificationFiles = CertificationFiles(root: directory.appendingPathComponent("certification"))
    }
    // SQL is not logged (PostgreSQL: only at trace): its values carry names and situations.
    switch database {
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
        app.storage[SQLiteFileKey.self] = path
        let writer = try await SQLiteLedgerWriter(path: path, logger: app.logger)
        app.lifecycle.use(ShutdownWork(shutdown: writer.shutdown))
        // A pool of its own for the server's own long reads (`backgroundReadsDB`), on the application's
        // threads and event loops, which outlive it: a read still running as the server stops finishes there.
        let background = Databases(threadPool: app.threadPool, on: app.eventLoopGroup)
        background.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
        app.lifecycle.use(ShutdownWork(shutdown: background.shutdownAsync))
        app.storage[BackgroundReadsKey.self] = background.database(logger: app.logger, on: app.eventLoopGroup.any())
        app.storage[SQLiteLedgerWriterKey.self] = writer
        app.storage[BookingQueueKey.self] = BookingQueue(writer: writer)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url, let schema):
        var config = try SQLPostgresConfiguration(url: url)
        if let schema {
            config.searchPath = [schema]
            app.storage[PostgresSchemaKey.self] = schema
        }
        // PostgreSQL runs writers side by side (row locks): a few connections per event loop let it.
        app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(30),
                                    sqlLogLevel: .trace), as: .psql)  // the driver insists on a level
        app.postgresStuckWrites = PostgresStuckWrites()
        // Reports and the dashboard may read from a streaming replica, so a donor report never holds up the network's writes.
        if let read = Environment.get("DATABASE_READ_URL").flatMap({ $0.isEmpty ? nil : $0 }) {
            var readConfig = try SQLPostgresConfiguration(url: read)
            readConfig.searchPath = config.searchPath
            app.databases.use(.postgres(configuration: readConfig, maxConnectionsPerEventLoop: 2, connectionPoolTimeout: .seconds(30),
                                        sqlLogLevel: .trace), as: .psqlRead, isDefault: false)
        }
    }

    app.migrations.add(NetworkMigrations.all)
    app.migrations.add(TimeBankMigrations.all)
    app.migrations.add(ProducerMigrations.all)
    app.migrations.add(NeedsMigrations.all)
    app.migrations.add(PartnershipMigrations.all)
    app.migrations.add(ReferralMigrations.all)
    app.migrations.add(CertificationMigrations.all)
    app.migrations.add(TrainingMigrations.all)
    app.migrations.add(ReportingMigrations.all)
    app.noteCipher = try NotesKey.cipher(testing: app.environment == .testing, database: database)
    app.migrations.add(SessionRecord.migration)
    if app.storage[BookingQueueKey.self] == nil { app.storage[BookingQueueKey.self] = BookingQueue() }

    app.http.server.configuration.hostname = Environment.get("HOST").flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
    app.http.server.configuration.port = Environment.get("PORT").flatMap(Int.init) ?? 8080
    // Stylesheet and scripts go compressed over a village's slow link (a third of their size). Pages do not:
    // they carry the form token, and a compressed page beside text an attacker chose can leak it (BREACH).
    app.http.server.configuration.responseCompression = .disabled(
        allowedTypes: [.css, HTTPMediaType(type: "application", subType: "javascript"), HTTPMediaType(type: "image", subType: "svg+xml")],
        allowRequestOverrides: false)
    // Offices sit behind slow links: keep bodies modest, but enough for a page of form fields.
    app.routes.defaultMaxBodySize = "1mb"
    // Tests hash many passwords: the lowest cost keeps them fast; real deployments keep the default.
    app.passwords.use(.bcrypt(cost: app.environment == .testing ? 4 : 12))

    let resources = try AppResources.locate()
    app.views.use(.leaf)
    // Not `.toVisibleFiles`: the bundle sits under `.build/`, a hidden folder, when run from a checkout.
    app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
                                                  sandboxDirectory: resources.views, viewDirectory: resources.views))
    app.leaf.cache.isEnabled = app.environment.isRelease
    LeafTags.register(on: app)

    app.sessions.use(.fluent)
    let secureCookies = Environment.get("ASHAR_PUBLIC_URL")?.hasPrefix("https://") ?? false
    app.sessions.configuration = SessionsConfiguration(cookieName: "ashar_session") { id in
        HTTPCookies.Value(string: id.string, expires: Date().addingTimeInterval(12 * 3600), maxAge: nil,
                          path: "/", isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    app.middleware = Middlewares()
    if let writer = app.storage[SQLiteLedgerWriterKey.self] { app.middleware.use(DedicatedWriterMiddleware(writer: writer)) }
    let quietMemory = QuietMemory(writer: app.storage[SQLiteLedgerWriterKey.self])
    app.storage[QuietMemoryKey.self] = quietMemory
    app.middleware.use(quietMemory)
    app.middleware.use(RequestMetricsMiddleware())
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(AsharErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: resources.publicFiles, defaultFile: nil))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(SessionUserMiddleware())

    app.logger.info("database: \(database.description)")
    try routes(app, resources: resources)
}

struct PostgresSchemaKey: StorageKey { typealias Value = String }
struct SQLiteFileKey: StorageKey { typealias Value = String }

/// Runs the migrations that have not run yet (creating the PostgreSQL schema first, if one is named).
public func migrate(_ app: Application) async throws {
    if let schema = app.storage[PostgresSchemaKey.self], let sql = app.db as? any SQLDatabase {
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
    }
    // Village offices lose power: the write-ahead log (kept in the file, so set once) with SQLite's
    // default synchronous=FULL makes an acknowledged write survive a power cut, and lets pages read
    // while a transfer is being written.
    if app.storage[SQLiteFileKey.self] != nil, let sql = app.db as? any SQLDatabase {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
    try await app.autoMigrate()
    // The pilot's baseline needs survey is there, ready to use, in every installation.
    try await FormService(db: app.db).importBaselineIfMissing(by: .system)
}

private struct BookingQueueKey: StorageKey { typealias Value = BookingQueue }

extension Application {
    /// Transfers through the API are booked together with those that arrive alongside (group commit).
    var bookings: BookingQueue { storage[BookingQueueKey.self]! }
}

extension DatabaseID {
    /// A PostgreSQL streaming replica (`DATABASE_READ_URL`), for reading reports.
    static let psqlRead = DatabaseID(string: "psql-read")
}

extension Application {
    /// Where reports read: the replica when there is one, else the database everything else uses. A
    /// replica lags its primary by a moment; reports of whole days and months do not notice.
    var reportsDatabaseID: DatabaseID? { databases.ids().contains(.psqlRead) ? .psqlRead : nil }
    var reportsDB: any Database { db(reportsDatabaseID) }

    /// Where a serving Ashar reads for work of its own (the dashboard's needs counted as it starts and after
    /// an import): on a SQLite file, a pool of connections of its own. On the requests' pool that count held the
    /// connection of one event loop for ten seconds and more after a restart on a cold disk, and a health
    /// check or a login on that loop waited until it timed out.
    var backgroundReadsDB: any Database { storage[BackgroundReadsKey.self] ?? reportsDB }
}

private struct BackgroundReadsKey: StorageKey { typealias Value = any Database }

extension Request {
    var reportsDB: any Database { db(application.reportsDatabaseID) }
}

