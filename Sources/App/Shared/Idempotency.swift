import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import OpenAPIRuntime
import SQLKit
import Vapor

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
        let body = try await request.body.collect(max: APIUploadLimits.largestBody(of: request)).get()
        let hash = Self.requestHash(request.method, path: request.url.path, query: request.url.query, body: body)

        // A write booked in a batch of its own kind looks its key up there, in the transaction that books
        // it: no read before it on the API's busiest path. It throws `IdempotencyKeyAnswered` on a replay.
        if !Self.looksUpItsOwnKey(request), let kept = try await Self.kept(user: user.id, key: key, hash: hash, request: request) {
            return kept
        }

        // A refusal is an answer too: a replay gets the same refusal, not a second try that might now pass.
        let slot = IdempotencySlot(IdempotencyKey(userID: user.id, key: key, requestHash: hash))
        let response: Response
        do {
            response = try await IdempotencySlot.$current.withValue(slot) { try await next.respond(to: request) }
        } catch where Self.isAnswered(error) {
            // Answered meanwhile, by the first of two copies racing, or long ago (a write that looks up its own key).
            guard let kept = try await Self.kept(user: user.id, key: key, hash: hash, request: request) else {
                throw DomainError("api.idempotency-key-in-flight", kind: .conflict)
            }
            return kept
        } catch {
            let failure = AsharErrorMiddleware.failure(for: error, request: request)
            guard (400..<500).contains(failure.status.code) else { throw error }
            response = try await AsharErrorMiddleware.render(failure, for: request)
        }
        // Kept already, in the same transaction as what the request wrote (a transfer): nothing more to do.
        // A failure after a write leaves its claim unanswered: a replay is told it was recorded, not run again.
        guard response.status.code < 500, slot.state != .kept else { return response }
        let collected = try await response.body.collect(on: request.eventLoop).get()
        let text = collected.map { String(buffer: $0) } ?? ""
        response.body = .init(string: text)
        // Two copies of one request racing: the loser's record clashes with the winner's; both answered alike.
        // Through the writers' turn on SQLite, so it does not spin against a transfer being booked.
        let receipt = IdempotencyReceipt(key: slot.key, status: Int(response.status.code),
                                         contentType: response.headers.contentType?.serialize() ?? "application/json",
                                         body: try Self.sealedIfSensitive(text, request))
        if slot.state == .claimed, let writer = request.application.storage[SQLiteLedgerWriterKey.self] {
            // The claim is on the disk already: were this copy of the answer lost at a power cut, a replay would
            // be told the write was recorded, as when a server stops between its write and its answer. Not
            // waiting for the disk a second time takes about half a millisecond off every such write.
            try? await writer.runUnsynced(IdempotencyReceipt.fill(receipt))
        } else {
            try? await IdempotencyReceipt.keep(receipt, claimed: slot.state == .claimed, on: request.db)
        }
        return response
    }

    /// What tells two requests under one key apart: method, path, query and body.
    static func requestHash(_ method: HTTPMethod, path: String, query: String?, body: ByteBuffer?) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(path)?\(query ?? "")\n".utf8))
        // Hashed where it lies: copied out first, a 47 MB export was one more copy to make and fault in.
        body?.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().hex
    }

    /// The answer kept for this key, replayed; a refusal if the key was used for another request.
    private static func kept(user: UUID, key: String, hash: String, request: Request) async throws -> Response? {
        // Plain SQL: this runs on every write the API takes.
        guard let stored = try await IdempotencyReceipt.find(userID: user, key: key, on: request.db as! any SQLDatabase) else { return nil }
        guard stored.key.requestHash == hash else { throw DomainError("api.idempotency-key-reused", kind: .conflict) }
        // Claimed by a write that has not answered yet: still running, or its server stopped before answering.
        guard stored.status != 0 else { throw DomainError("api.idempotency-key-in-flight", kind: .conflict) }
        let body = stored.body.hasPrefix(NoteCipher.sealedPrefix) ? try request.application.noteCipher.open(stored.body) : stored.body
        let response = Response(status: HTTPResponseStatus(statusCode: stored.status), body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: stored.contentType)
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }

    /// A case's answer carries her notes and preferences: kept sealed, like the case itself.
    private static func sealedIfSensitive(_ text: String, _ request: Request) throws -> String {
        let path = request.route?.path.map(\.description) ?? []
        let sensitive = path.starts(with: ["api", "v1", "cases"]) || path.starts(with: ["api", "v1", "referrals"])
        return sensitive ? try request.application.noteCipher.seal(text) : text
    }

    /// The API's handlers throw through the OpenAPI runtime, which wraps what they throw.
    private static func isAnswered(_ error: any Error) -> Bool {
        error is IdempotencyKeyAnswered || (error as? ServerError)?.underlyingError is IdempotencyKeyAnswered
    }

    /// Recording a transfer: the ledger's batch reads the keys of all its transfers in one statement.
    private static func looksUpItsOwnKey(_ request: Request) -> Bool {
        request.method == .POST && request.route?.path.map(\.description) == ["api", "v1", "timebanks", ":bank", "transfers"]
    }
}
