import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

enum SessionKeys {
    static let userID = "uid"
}

/// Puts the session's user on the request (web pages).
struct SessionUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Touching `request.session` makes one, and Vapor then writes it to the database and sets a cookie:
        // only look when the browser sent a session cookie, so API calls and health checks stay free of it.
        if request.cookies[request.application.sessions.configuration.cookieName] != nil,
           let raw = request.session.data[SessionKeys.userID], let id = UUID(uuidString: raw),
           let user = try? await request.network.users.get(id), user.active {
            request.currentUser = user
        }
        return try await next.respond(to: request)
    }
}

/// Puts the bearer token's user on the request (API). Without a valid token: 401, except under
/// `/api/v1/public/`, what anyone may read (a batch's QR code), which needs none.
struct BearerUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.headers.bearerAuthorization == nil && request.url.path.hasPrefix("/api/v1/public/") {
            return try await next.respond(to: request)
        }
        guard let bearer = request.headers.bearerAuthorization,
              let user = try await request.network.users.user(forTokenHash: ApiTokens.hash(bearer.token)) else {
            throw Abort(.unauthorized)
        }
        request.currentUser = user
        return try await next.respond(to: request)
    }
}

enum ApiTokens {
    /// Makes a token for a user and stores only its hash. The token itself is shown once.
    static func issue(for user: UserRecord, on db: any Database, by actor: Actor) async throws -> String {
        let token = "ashar_" + CSRF.randomToken()
        try await UserService(db: db).addToken(user.id, tokenHash: hash(token), by: actor)
        return token
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as digests are stored. (`String(format:)` per byte goes through the locale machinery:
    /// measurable on a path every API call takes.)
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
