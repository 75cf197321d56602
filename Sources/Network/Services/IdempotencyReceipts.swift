import FluentKit
import Foundation
import Kernel
import SQLKit
import Synchronization

/// Each write's first answer to a request that carried an `Idempotency-Key`, kept so a replay gets it back.
struct CreateIdempotencyRecords: AsyncMigration {
    var name: String { "app.001.create-idempotency-records" }  // its first home was the App target
    func prepare(on db: any Database) async throws {
        try await db.schema("idempotency_records")
            .id()
            .field("user_id", .uuid, .required)
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status", .int, .required)
            .field("content_type", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "key")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("idempotency_records").delete() }
}

/// Who sent a request, the key she gave it, and a digest of the request itself.
public struct IdempotencyKey: Sendable, Hashable {
    public let userID: UUID
    public let key: String
    public let requestHash: String

    public init(userID: UUID, key: String, requestHash: String) {
        self.userID = userID
        self.key = key
        self.requestHash = requestHash
    }
}

/// What a write throws when it finds its `Idempotency-Key` already answered (a replay, or the key reused):
/// whoever took the request then gives the kept answer, or refuses the reuse.
public struct IdempotencyKeyAnswered: Error {
    public init() {}
}

/// The answer given to a request with an `Idempotency-Key`.
public struct IdempotencyReceipt: Sendable {
    public let key: IdempotencyKey
    public let status: Int
    public let contentType: String
    public let body: String

    public init(key: IdempotencyKey, status: Int, contentType: String, body: String) {
        self.key = key
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// The answer kept for this user's key, if any; status 0 while only the claim is kept (see `IdempotencySlot`).
    public static func find(userID: UUID, key: String, on sql: any SQLDatabase) async throws -> IdempotencyReceipt? {
        guard let row = try await sql.raw("""
            SELECT request_hash, status, content_type, body FROM idempotency_records WHERE user_id = \(bind: userID) AND key = \(bind: key)
            """).first() else { return nil }
        return IdempotencyReceipt(key: IdempotencyKey(userID: userID, key: key, requestHash: try row.decode(column: "request_hash", as: String.self)),
                                  status: try row.decode(column: "status", as: Int.self),
                                  contentType: try row.decode(column: "content_type", as: String.self),
                                  body: try row.decode(column: "body", as: String.self))
    }

    /// Which of these keys already have an answer kept.
    public static func taken(_ keys: [IdempotencyKey], on sql: any SQLDatabase) async throws -> Set<IdempotencyKey> {
        guard !keys.isEmpty else { return [] }
        let query: SQLQueryString = "SELECT user_id, key FROM idempotency_records WHERE \(SQLQueryString.anyPair("user_id", "key", keys.map { ($0.userID, $0.key) }))"
        let found = Set(try await sql.raw(query).all().map {
            "\(try $0.decode(column: "user_id", as: UUID.self))|\(try $0.decode(column: "key", as: String.self))"
        })
        return Set(keys.filter { found.contains("\($0.userID)|\($0.key)") })
    }

    /// Keeps the answer to a request: filled into the record its write claimed (`claimed`), or a record of its own.
    public static func keep(_ receipt: IdempotencyReceipt, claimed: Bool, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            guard claimed else { return try await insert([receipt], on: sql) }
            try await sql.raw(fill(receipt)).run()
        }
    }

    /// The statement that fills an answer into the record its write claimed.
    public static func fill(_ receipt: IdempotencyReceipt) -> SQLQueryString {
        """
        UPDATE idempotency_records SET status = \(bind: receipt.status), content_type = \(bind: receipt.contentType), \
        body = \(bind: receipt.body) WHERE user_id = \(bind: receipt.key.userID) AND key = \(bind: receipt.key.key) AND status = 0
        """
    }

    /// How long an answer is kept for a replay. An office's queue resends within days of the line coming
    /// back; kept for ever, the answers (each with its body) would grow with every write the network makes.
    public static let keptFor: TimeInterval = 90 * 24 * 3600

    /// Forgets the answers given before `date`: a request resent with one of their keys is taken as new.
    public static func forget(before date: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM idempotency_records WHERE created_at < \(bind: date)").run()
    }

    /// Keeps several answers in one statement.
    public static func insert(_ receipts: [IdempotencyReceipt], on sql: any SQLDatabase) async throws {
        guard !receipts.isEmpty else { return }
        let now = Date()
        var query = SQLQueryString("""
            INSERT INTO idempotency_records (id, user_id, key, request_hash, status, content_type, body, created_at) VALUES 
            """)
        for (index, r) in receipts.enumerated() {
            query.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            query.appendInterpolation("""
                (\(bind: UUID.timeOrdered(at: now)), \(bind: r.key.userID), \(bind: r.key.key), \(bind: r.key.requestHash), \(bind: r.status), \
                \(bind: r.contentType), \(bind: r.body), \(bind: now))
                """ as SQLQueryString)
        }
        try await sql.raw(query).run()
    }
}

/// The `Idempotency-Key` of the API request being answered, and how far its record has come. The request's
/// first write transaction claims the key — a record without an answer yet (status 0) — in the same
/// commit as what it writes: a write that committed is never made again by a replay, even when the server
/// died before it could answer. The answer is filled in once given. A write that keeps its whole answer
/// in its own transaction (a transfer, booked in a batch) marks the slot kept.
public final class IdempotencySlot: Sendable {
    @TaskLocal public static var current: IdempotencySlot?

    public enum State: Sendable { case open, claiming, claimed, kept }

    public let key: IdempotencyKey
    private let progress = Mutex(State.open)

    public init(_ key: IdempotencyKey) { self.key = key }

    public var state: State { progress.withLock { $0 } }
    public func markKept() { progress.withLock { $0 = .kept } }

    /// Whether the transaction about to begin is the one to claim the key: the request's first.
    func beginClaim() -> Bool {
        progress.withLock { state in
            guard state == .open else { return false }
            state = .claiming
            return true
        }
    }

    /// The claiming transaction ended: committed, or rolled back with the claim in it.
    func endClaim(committed: Bool) {
        progress.withLock { state in if state == .claiming { state = committed ? .claimed : .open } }
    }

    /// Records the key inside the claiming transaction. Taken already (a copy of this request got there
    /// first): the transaction is abandoned and the request answered from that copy's record.
    func claim(on sql: any SQLDatabase) async throws {
        let inserted = try await sql.raw("""
            INSERT INTO idempotency_records (id, user_id, key, request_hash, status, content_type, body, created_at) VALUES \
            (\(bind: UUID.timeOrdered()), \(bind: key.userID), \(bind: key.key), \(bind: key.requestHash), 0, '', '', \(bind: Date())) \
            ON CONFLICT (user_id, key) DO NOTHING RETURNING id
            """).all()
        if inserted.isEmpty { throw IdempotencyKeyAnswered() }
    }

    /// The receipt of a 201 Created answer with this JSON body.
    public func receipt<Body: Encodable>(created body: Body) throws -> IdempotencyReceipt {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return IdempotencyReceipt(key: key, status: 201, contentType: "application/json; charset=utf-8",
                                  body: String(decoding: try encoder.encode(body), as: UTF8.self))
    }
}
