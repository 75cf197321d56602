import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Headers every response carries: no framing, no inline script, no leaking of the URL.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
        "base-uri 'self'", "object-src 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers: [(String, String)] = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        // A response that sets its own policy keeps it: an uploaded SVG served alone gets a stricter one.
        for (name, value) in headers where !(name == "Content-Security-Policy" && response.headers.contains(name: name)) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        if response.headers.contentType?.type == "text" && response.headers.contentType?.subType == "html" {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
