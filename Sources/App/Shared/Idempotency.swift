import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// A write's first response, kept so a replay with the same `Idempotency-Key` gets it back.
final class IdempotencyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_records"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    @Field(key: "status") var status: Int
    @Field(key: "content_type") var contentType: String
    @Field(key: "body") var body: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

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
/// the same method, path and body, returns the first response and records nothing new; the same key
/// with a different request is refused.
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
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()

        if let stored = try await IdempotencyRecord.query(on: request.db).filter(\.$userID == user.id).filter(\.$key == key).first() {
            guard stored.requestHash == hash else {
                throw DomainError("api.idempotency-key-reused", kind: .conflict)
            }
            let response = Response(status: HTTPResponseStatus(statusCode: stored.status), body: .init(string: stored.body))
            response.headers.replaceOrAdd(name: .contentType, value: stored.contentType)
            response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
            return response
        }

        let response = try await next.respond(to: request)
        guard response.status.code < 500 else { return response }
        let collected = try await response.body.collect(on: request.eventLoop).get()
        let text = collected.map { String(buffer: $0) } ?? ""
        response.body = .init(string: text)
        let record = IdempotencyRecord()
        record.userID = user.id
        record.key = key
        record.requestHash = hash
        record.status = Int(response.status.code)
        record.contentType = response.headers.contentType?.serialize() ?? "application/json"
        record.body = text
        // Two copies of one request racing: the loser's record clashes with the winner's; both answered alike.
        try? await record.create(on: request.db)
        return response
    }
}
