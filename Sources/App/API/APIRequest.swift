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
