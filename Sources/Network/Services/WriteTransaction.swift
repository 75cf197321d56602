import FluentKit
import SQLKit

extension Database {
    /// A transaction that will write. On SQLite, writers in this process take turns through `SQLiteWriters`
    /// before they begin: SQLite allows one writer at a time, and a second connection that tries anyway
    /// spins in its busy handler, burning the CPU the first one needs to finish. Inside, the first
    /// statement claims SQLite's write lock, so a transaction never reads first and then finds it cannot
    /// write. PostgreSQL needs neither: its row locks let writers run side by side.
    ///
    /// The first write transaction of an API request with an `Idempotency-Key` also claims the key, in
    /// the same commit (`IdempotencySlot`). Inside a request to a server on a SQLite file, it runs on the
    /// database's own writer (`DedicatedWriters.current`).
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // Already inside one (a service calling another): the turn, and any claim, are already ours.
        if inTransaction { return try await body(self) }
        guard let slot = IdempotencySlot.current, slot.beginClaim() else { return try await takingTurn(body) }
        do {
            let result = try await takingTurn { tx in
                try await slot.claim(on: tx as! any SQLDatabase)
                return try await body(tx)
            }
            slot.endClaim(committed: true)
            return result
        } catch {
            slot.endClaim(committed: false)
            throw error
        }
    }

    private func takingTurn<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await StuckWrites.watching { watched in
                try await self.transaction { tx in
                    watched.began(on: tx)
                    return try await body(tx)
                }
            }
        }
        if let writer = DedicatedWriters.current { return try await writer.transaction(body) }
        return try await SQLiteWriters.shared.inTurn {
            try await transaction { tx in
                try await (tx as! any SQLDatabase).raw("UPDATE write_lock SET id = id WHERE 0 = 1").run()
                return try await body(tx)
            }
        }
    }
}

/// A database's own writer (the embedded SQLite's): runs a write transaction on a connection no one else
/// writes through, with the write lock claimed as it begins, without the detours a pooled one takes.
public protocol DedicatedWriter: Sendable {
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T
}

public enum DedicatedWriters {
    /// The writer of the server answering the request being served: its write transactions run there.
    @TaskLocal public static var current: (any DedicatedWriter)?
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
