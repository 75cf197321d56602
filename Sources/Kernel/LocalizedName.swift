/// A name kept in each of the three languages, e.g. a district or a service category.
public struct LocalizedName: Hashable, Sendable, Codable {
    public var ky: String
    public var ru: String
    public var en: String

    public init(ky: String, ru: String, en: String) {
        self.ky = ky
        self.ru = ru
        self.en = en
    }

    /// The name in the language with this code (`ky`, `ru`, `en`), Kyrgyz otherwise.
    public func named(_ languageCode: String) -> String {
        switch languageCode {
        case "ru": ru
        case "en": en
        default: ky
        }
    }
}
