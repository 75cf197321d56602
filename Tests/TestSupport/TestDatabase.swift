import AsharNetwork
import Needs
import Partnerships
import Producers
import Referrals
import Reporting
import Certification
import Training
import TimeBank
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Where tests keep their data. Every test gets a database of its own, so tests run in parallel:
/// an in-memory SQLite database, or, when `DATABASE_URL` names a PostgreSQL server, a new schema on it.
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func freshSchemaName() -> String {
        "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Runs `body` on a fresh database migrated for every context, then throws it away. `sqliteFile`:
    /// a SQLite file instead of memory (when there is no PostgreSQL), for tests that read the file.
    public static func withDatabase<T>(sqliteFile: String? = nil, _ body: (any Database) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup.singleton
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: group)
        let logger = Logger(label: "test")
        var schema: String?
        if let url = postgresURL {
            var config = try SQLPostgresConfiguration(url: url)
            let name = freshSchemaName()
            config.searchPath = [name]
            schema = name
            // Tests run side by side on a busy machine: wait for a connection rather than fail.
            databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(60)), as: .psql)
        } else {
            databases.use(.sqlite(sqliteFile.map { .file($0) } ?? .memory), as: .sqlite)
        }
        let db = databases.database(logger: logger, on: group.any())!
        do {
            if let schema { try await (db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: schema)").run() }
            let migrations = Migrations()
            migrations.add(NetworkMigrations.all)
            migrations.add(TimeBankMigrations.all)
            migrations.add(ProducerMigrations.all)
            migrations.add(NeedsMigrations.all)
            migrations.add(PartnershipMigrations.all)
            migrations.add(ReferralMigrations.all)
            migrations.add(CertificationMigrations.all)
            migrations.add(TrainingMigrations.all)
            migrations.add(ReportingMigrations.all)
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: group.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            let result = try await body(db)
            try await drop(schema, on: db)
            await databases.shutdownAsync()
            return result
        } catch {
            try? await drop(schema, on: db)
            await databases.shutdownAsync()
            throw error
        }
    }

    public static func drop(_ schema: String?, on db: any Database) async throws {
        guard let schema, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
}
