import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The Vapor request behind the API call being handled. The generated handlers see only typed
/// input, but need the user, the database and the language: a task-local carries them in.
enum APIRequest {
    @TaskLocal static var current: Request?

    static func get() throws -> Request {
        guard let request = current else { throw Abort(.internalServerError, reason: "API handler outside a request") }
        return request
    }

    /// The request, if its user's roles allow this: 401 without a user, 403 when they do not.
    static func allowed(_ allowed: ([Grant]) -> Bool) throws -> Request {
        let req = try get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        guard allowed(user.grants.map(\.grant)) else { throw Abort(.forbidden) }
        return req
    }
}

struct APIRequestMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await APIRequest.$current.withValue(request) {
            try await next.respond(to: request)
        }
    }
}

/// An action posted with no body at all (`POST /api/v1/referrals/{id}/accept`) is read as the empty JSON
/// object: the generated decoder would otherwise take nothing for malformed JSON. Vapor's request body
/// cannot be replaced, so the request is: same method, address, headers, route and storage.
struct EmptyBodyAsJSONMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .POST, request.headers.contentType == nil, request.headers.first(name: .transferEncoding) == nil,
              (request.body.data?.readableBytes ?? 0) == 0, (request.headers.first(name: .contentLength) ?? "0") == "0" else {
            return try await next.respond(to: request)
        }
        var headers = request.headers
        headers.contentType = .json
        headers.replaceOrAdd(name: .contentLength, value: "2")
        let replaced = Request(application: request.application, method: request.method, url: request.url, version: request.version,
                               headers: headers, collectedBody: ByteBuffer(string: "{}"), remoteAddress: request.remoteAddress,
                               logger: request.logger, on: request.eventLoop)
        replaced.parameters = request.parameters
        replaced.route = request.route
        replaced.storage = request.storage
        return try await next.respond(to: replaced)
    }
}
