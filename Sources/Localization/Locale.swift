/// The three languages Ashar speaks. Kyrgyz first: it is the default.
public enum AppLocale: String, CaseIterable, Sendable, Codable {
    case ky, ru, en

    public static let `default`: AppLocale = .ky

    /// The name of the language in itself, for the switcher.
    public var nativeName: String {
        switch self {
        case .ky: "Кыргызча"
        case .ru: "Русский"
        case .en: "English"
        }
    }

    /// Picks the best language from an `Accept-Language` header, falling back to Kyrgyz.
    public static func negotiate(acceptLanguage header: String?) -> AppLocale {
        guard let header else { return .default }
        var best: (locale: AppLocale, q: Int)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let tag = pieces.first?.lowercased() else { continue }
            let primary = String(tag.split(separator: "-").first ?? "")
            guard let locale = AppLocale(rawValue: primary) else { continue }
            // q in thousandths, so no floating point is needed to compare them.
            var q = 1000
            for p in pieces.dropFirst() where p.hasPrefix("q=") {
                q = Self.thousandths(String(p.dropFirst(2)))
            }
            if q > 0, q > (best?.q ?? -1) { best = (locale, q) }
        }
        return best?.locale ?? .default
    }

    private static func thousandths(_ text: String) -> Int {
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Int(parts.first ?? "0") ?? 0
        var fraction = parts.count > 1 ? String(parts[1].prefix(3)) : ""
        while fraction.count < 3 { fraction += "0" }
        return min(1000, whole * 1000 + (Int(fraction) ?? 0))
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
