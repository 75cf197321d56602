import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// One log line per request: method, route pattern and status. Never the query string, the body or
/// a header: they may carry a name, a password or a token.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let route = request.routePattern
        request.logger.info("\(request.method.rawValue) \(route) \(response.status.code)")
        return response
    }
}
