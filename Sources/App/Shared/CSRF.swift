import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// One token per session, carried by every form as `_csrf` and checked on every state-changing request.
enum CSRF {
    static let field = "_csrf"
    static let sessionKey = "csrf"

    static func token(for req: Request) -> String {
        if let existing = req.session.data[sessionKey] { return existing }
        let token = randomToken()
        req.session.data[sessionKey] = token
        return token
    }

    static func randomToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

struct CSRFMiddleware: AsyncMiddleware {
    /// The largest form a page sends: a scanned agreement or conformity document of 10 MB, with the form around it.
    /// Each service then holds its own upload to its own, smaller limit before anything is stored.
    static let maxFormBody = 11 * 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            // A body that did not arrive in one piece (a file upload) is still streaming: the token is in it.
            if request.body.data == nil {
                _ = try await request.body.collect(max: Self.maxFormBody).get()
            }
            let expected = request.session.data[CSRF.sessionKey]
            let sent = try? request.content.get(String.self, at: CSRF.field)
            guard let expected, let sent, Data(expected.utf8).constantTimeEquals(Data(sent.utf8)) else {
                throw Abort(.forbidden, reason: "csrf")
            }
        }
        return try await next.respond(to: request)
    }
}

extension Data {
    func constantTimeEquals(_ other: Data) -> Bool {
        guard count == other.count else { return false }
        return zip(self, other).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
