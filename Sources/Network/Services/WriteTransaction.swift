import FluentKit
import SQLKit

extension Database {
    /// A transaction that will write. On SQLite it claims the write lock with its first statement:
    /// a transaction that reads first and writes later can meet another doing the same, and SQLite
    /// then refuses one of them at once ("database is locked") instead of letting it wait its turn.
    /// Claimed first, the second writer simply waits. PostgreSQL needs nothing of the kind.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { tx in
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE write_lock SET id = id WHERE 0 = 1").run()
            }
            return try await body(tx)
        }
    }
}

/// An empty table whose only use is `writeTransaction`'s lock-claiming statement.
struct CreateWriteLock: AsyncMigration {
    var name: String { "network.011.create-write-lock" }
    func prepare(on db: any Database) async throws {
        try await db.schema("write_lock").field("id", .int, .identifier(auto: false)).create()
    }
    func revert(on db: any Database) async throws { try await db.schema("write_lock").delete() }
}
