import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Localization
import SQLKit
import Vapor

/// Each write's first response, kept so a replay with the same `Idempotency-Key` gets it back.
struct CreateIdempotencyRecords: AsyncMigration {
    var name: String { "app.001.create-idempotency-records" }
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

/// Offices on weak connections resend. A write with an `Idempotency-Key` that was seen before, with
/// the same method, path and body, returns the first response (a refusal included) and records nothing
/// new; the same key with a different request is refused.
struct IdempotencyMiddleware: AsyncMiddleware {
    static let header = "Idempotency-Key"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method),
              let key = request.headers.first(name: Self.header), !key.isEmpty,
              let user = request.currentUser else {
            return try await next.respond(to: request)
        }
        guard key.count <= 200 else { throw Abort(.badRequest) }
        let body = try await request.body.collect(max: 1 << 20).get()
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.url.path)?\(request.url.query ?? "")\n".utf8))
        if let body { hasher.update(data: Data(body.readableBytesView)) }
        let hash = hasher.finalize().hex

        // Plain SQL: this runs on every write the API takes.
        let sql = request.db as! any SQLDatabase
        if let stored = try await sql.raw("""
            SELECT request_hash, status, content_type, body FROM idempotency_records WHERE user_id = \(bind: user.id) AND key = \(bind: key)
            """).first() {
            guard try stored.decode(column: "request_hash", as: String.self) == hash else {
                throw DomainError("api.idempotency-key-reused", kind: .conflict)
            }
            let response = Response(status: HTTPResponseStatus(statusCode: try stored.decode(column: "status", as: Int.self)),
                                    body: .init(string: try stored.decode(column: "body", as: String.self)))
            response.headers.replaceOrAdd(name: .contentType, value: try stored.decode(column: "content_type", as: String.self))
            response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
            return response
        }

        // A refusal is an answer too: a replay gets the same refusal, not a second try that might now pass.
        let slot = IdempotencySlot(userID: user.id, key: key, requestHash: hash)
        let response: Response
        do {
            response = try await IdempotencySlot.$current.withValue(slot) { try await next.respond(to: request) }
        } catch {
            let failure = AsharErrorMiddleware.failure(for: error, request: request)
            guard (400..<500).contains(failure.status.code) else { throw error }
            response = try await AsharErrorMiddleware.render(failure, for: request)
        }
        // Kept already, in the same transaction as what the request wrote (a transfer): nothing more to do.
        guard response.status.code < 500, !slot.isStored else { return response }
        let collected = try await response.body.collect(on: request.eventLoop).get()
        let text = collected.map { String(buffer: $0) } ?? ""
        response.body = .init(string: text)
        // Two copies of one request racing: the loser's record clashes with the winner's; both answered alike.
        // Through the writers' turn on SQLite, so it does not spin against a transfer being booked.
        try? await request.db.writeTransaction { tx in
            try await slot.store(status: Int(response.status.code), contentType: response.headers.contentType?.serialize() ?? "application/json",
                                 body: text, on: tx)
        }
        return response
    }
}

/// The `Idempotency-Key` of the request being answered. A handler whose write must not be repeated keeps
/// its answer here inside its own transaction, so the write and the record of it commit together: a
/// server that dies between the two cannot book a replay a second time.
final class IdempotencySlot: @unchecked Sendable {  // `stored` is guarded by `lock`
    @TaskLocal static var current: IdempotencySlot?

    let userID: UUID
    let key: String
    let requestHash: String
    private let lock = NSLock()
    private var stored = false

    init(userID: UUID, key: String, requestHash: String) {
        self.userID = userID
        self.key = key
        self.requestHash = requestHash
    }

    var isStored: Bool { lock.withLock { stored } }

    func store(status: Int, contentType: String, body: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            INSERT INTO idempotency_records (id, user_id, key, request_hash, status, content_type, body, created_at)
            VALUES (\(bind: UUID()), \(bind: userID), \(bind: key), \(bind: requestHash), \(bind: status), \(bind: contentType),
                \(bind: body), \(bind: Date()))
            """).run()
        lock.withLock { stored = true }
    }

    /// Keeps a JSON answer (201 Created) to the current request, if it carries a key.
    static func keep<Body: Encodable>(created body: Body, on db: any Database) async throws {
        guard let slot = current else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        try await slot.store(status: 201, contentType: "application/json; charset=utf-8",
                             body: String(decoding: try encoder.encode(body), as: UTF8.self), on: db)
    }
}
