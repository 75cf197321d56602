import Foundation

/// One language's messages. An entry is either a string or, for counted things, an object of
/// CLDR plural forms. Placeholders are written `{name}`; `{count}` is the counted number.
public struct Catalogue: Sendable {
    public enum Entry: Sendable, Equatable {
        case text(String)
        case plural([PluralCategory: String])
    }

    public let locale: AppLocale
    public let entries: [String: Entry]

    public init(locale: AppLocale, entries: [String: Entry]) {
        self.locale = locale
        self.entries = entries
    }

    /// Reads a catalogue file: a flat JSON object of key → string or key → {plural forms}.
    public init(locale: AppLocale, json: Data) throws {
        let raw = try JSONSerialization.jsonObject(with: json)
        guard let object = raw as? [String: Any] else {
            throw CatalogueError.notAnObject(locale)
        }
        var entries: [String: Entry] = [:]
        for (key, value) in object {
            if let text = value as? String {
                entries[key] = .text(text)
            } else if let forms = value as? [String: String] {
                var plural: [PluralCategory: String] = [:]
                for (name, text) in forms {
                    guard let category = PluralCategory(rawValue: name) else {
                        throw CatalogueError.badEntry(locale, key)
                    }
                    plural[category] = text
                }
                entries[key] = .plural(plural)
            } else {
                throw CatalogueError.badEntry(locale, key)
            }
        }
        self.init(locale: locale, entries: entries)
    }

    /// The message for `key`, with placeholders filled. A missing key shows itself, so a gap is
    /// visible on the page rather than silently blank.
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        switch entries[key] {
        case .text(let text): return Self.fill(text, arguments)
        case .plural(let forms): return Self.fill(forms[.other] ?? key, arguments)
        case nil: return key
        }
    }

    /// The counted message for `key`, in the plural form the number takes in this language.
    public func plural(_ key: String, count: Int, _ arguments: [String: String] = [:]) -> String {
        var args = arguments
        args["count"] = String(count)
        switch entries[key] {
        case .plural(let forms):
            let category = PluralRules.category(for: count, in: locale)
            return Self.fill(forms[category] ?? forms[.other] ?? key, args)
        case .text(let text): return Self.fill(text, args)
        case nil: return key
        }
    }

    /// Fills `{name}` placeholders in one pass; a placeholder without an argument stays as written.
    /// Plain Swift rather than Foundation's search and replace: a statement page fills a thousand of
    /// these (every duration is a plural), and the Foundation calls were a sixth of its time.
    static func fill(_ text: String, _ arguments: [String: String]) -> String {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return text }
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += arguments[String(rest[rest.index(after: open)..<close])] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}

public enum CatalogueError: Error, CustomStringConvertible {
    case missingFile(AppLocale)
    case notAnObject(AppLocale)
    case badEntry(AppLocale, String)

    public var description: String {
        switch self {
        case .missingFile(let l): "catalogue \(l.rawValue).json is missing"
        case .notAnObject(let l): "catalogue \(l.rawValue).json is not a JSON object"
        case .badEntry(let l, let key): "catalogue \(l.rawValue).json: entry \(key) is neither a string nor plural forms"
        }
    }
}

/// The three catalogues, loaded once from the module's resources.
public struct Translations: Sendable {
    public let catalogues: [AppLocale: Catalogue]

    public static let bundled: Translations = {
        do { return try Translations.load() } catch { fatalError("\(error)") }
    }()

    public static func load() throws -> Translations {
        var catalogues: [AppLocale: Catalogue] = [:]
        for locale in AppLocale.allCases {
            guard let url = Bundle.module.url(forResource: locale.rawValue, withExtension: "json", subdirectory: "Resources") else {
                throw CatalogueError.missingFile(locale)
            }
            catalogues[locale] = try Catalogue(locale: locale, json: Data(contentsOf: url))
        }
        return Translations(catalogues: catalogues)
    }

    public subscript(locale: AppLocale) -> Catalogue {
        catalogues[locale] ?? Catalogue(locale: locale, entries: [:])
    }
}
