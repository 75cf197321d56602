import FluentKit
import SQLKit

extension Database {
    /// A transaction that will write. On SQLite, writers in this process take turns through `SQLiteWriters`
    /// before they begin: SQLite allows one writer at a time, and a second connection that tries anyway
    /// spins in its busy handler, burning the CPU the first one needs to finish. Inside, the first
    /// statement claims SQLite's write lock, so a transaction never reads first and then finds it cannot
    /// write. PostgreSQL needs neither: its row locks let writers run side by side.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await transaction(body) }
        // Already inside one (a service calling another): the turn is already ours.
        if inTransaction { return try await body(self) }
        return try await SQLiteWriters.shared.inTurn {
            try await transaction { tx in
                try await (tx as! any SQLDatabase).raw("UPDATE write_lock SET id = id WHERE 0 = 1").run()
                return try await body(tx)
            }
        }
    }
}

/// Writers to the embedded SQLite take turns, first come first served, waiting without spinning.
public actor SQLiteWriters {
    public static let shared = SQLiteWriters()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public func inTurn<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer { handOver() }
        return try await body()
    }

    private func handOver() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
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
