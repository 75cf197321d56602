import Certification
import Partnerships
import Vapor

/// The largest body each upload through the API takes; every other operation takes JSON of at most a
/// megabyte. The Idempotency-Key middleware reads a body whole, to tell two requests under one key apart,
/// before its operation does: it must let through what the operation accepts, and no more.
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

    /// By route, as Vapor spells it once the OpenAPI paths are registered.
    static let byRoute: [String: Int] = [
        "POST api/v1/suppliers/:supplier/price-list": priceList,
        "POST api/v1/forms": formFile,
        "POST api/v1/forms/:form/imports": export,
        "PUT api/v1/agreements/:agreement/scan": agreementScan,
        "PUT api/v1/documents/:document/scan": documentScan,
    ]

    static func largestBody(of request: Request) -> Int {
        guard let route = request.route else { return json }
        return byRoute["\(route.method.rawValue) \(route.path.string)"] ?? json
    }
}
