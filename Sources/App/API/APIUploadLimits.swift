import Certification
import Partnerships
import Vapor

/// The largest body each upload through the API takes (files, and an office server's pages of copies);
/// every other operation takes JSON of at most a megabyte. A body is read whole before its operation
/// runs — to bound it (`APIBodyLimitMiddleware`) and to tell two requests under one `Idempotency-Key`
/// apart — so the limit must let through what the operation accepts, and no more.
enum APIUploadLimits {
    static let json = 1 << 20
    static let priceList = 2 * 1024 * 1024
    /// A form file is a few hundred kB; this is far above any real one.
    static let formFile = 10 * 1024 * 1024
    /// A KoboToolbox or ODK export: 100,000 answers of the baseline survey are about 47 MB as CSV.
    static let export = 256 * 1024 * 1024
    static let documentScan = DocumentService.largestScan
    /// A byte more than the service keeps, so that it, not the transport, refuses a larger scan in the user's language.
    static let agreementScan = AgreementService.largestScan + 1
    /// An office server's page of copies: up to 1,000, a transfer with up to 100 entries and two texts of 500.
    static let syncPage = 32 * 1024 * 1024

    /// By route, as Vapor spells it once the OpenAPI paths are registered.
    static let byRoute: [String: Int] = [
        "POST api/v1/suppliers/:supplier/price-list": priceList,
        "POST api/v1/forms": formFile,
        "POST api/v1/forms/:form/imports": export,
        "PUT api/v1/agreements/:agreement/scan": agreementScan,
        "PUT api/v1/documents/:document/scan": documentScan,
        "POST api/v1/sync/timebank/members": syncPage,
        "POST api/v1/sync/timebank/transfers": syncPage,
    ]

    static func largestBody(of request: Request) -> Int {
        guard let route = request.route else { return json }
        return byRoute["\(route.method.rawValue) \(route.path.string)"] ?? json
    }
}

/// The OpenAPI runtime reads a JSON body whole, however large, before an operation can look at who sent
/// it: an API request's body is read here first, up to what its operation takes, and refused whole past
/// it (413) — a stranger's gigabyte never reaches memory.
struct APIBodyLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            _ = try await request.body.collect(max: APIUploadLimits.largestBody(of: request)).get()
        }
        return try await next.respond(to: request)
    }
}
