import AsharNetwork
import Fluent
import Foundation
import Kernel
import Leaf
import Localization
import Vapor

/// `#t("nav.people")` prints a message in the page's language; further parameters are joined to the key,
/// so `#t("organisation.kind.", org.kind)` picks the message for a value.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let key = ctx.parameters.map { $0.string ?? "" }.joined()
        guard !key.isEmpty else { throw "#t needs a key" }
        return .string(Translations.bundled[ctx.request?.appLocale ?? .default].text(key))
    }
}

/// `#tn("people.count", n)` prints a counted message in the plural form the number takes.
struct PluralTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 2, let key = ctx.parameters[0].string, let count = ctx.parameters[1].int else {
            throw "#tn needs a key and a count"
        }
        return .string(Translations.bundled[ctx.request?.appLocale ?? .default].plural(key, count: count))
    }
}

enum LeafTags {
    static func register(on app: Application) {
        app.leaf.tags["t"] = TranslateTag()
        app.leaf.tags["tn"] = PluralTag()
    }
}
