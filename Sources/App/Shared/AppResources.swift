import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The folders the binary reads its templates, static files and API spec from. They ship in the
/// target's resource bundle, so `ashar` finds them wherever it is started from.
struct AppResources: Sendable {
    let views: String
    let publicFiles: String
    let openAPISpec: String

    static func locate() throws -> AppResources {
        guard let root = Bundle.module.resourceURL else { throw AppResourcesError.bundleMissing }
        let views = root.appendingPathComponent("Views").path + "/"
        let publicFiles = root.appendingPathComponent("Public").path + "/"
        let spec = root.appendingPathComponent("openapi.yaml").path
        for path in [views, publicFiles, spec] where !FileManager.default.fileExists(atPath: path) {
            throw AppResourcesError.missing(path)
        }
        return AppResources(views: views, publicFiles: publicFiles, openAPISpec: spec)
    }
}

enum AppResourcesError: Error, CustomStringConvertible {
    case bundleMissing
    case missing(String)

    var description: String {
        switch self {
        case .bundleMissing: "the App resource bundle was not found next to the binary"
        case .missing(let path): "resource missing: \(path)"
        }
    }
}
