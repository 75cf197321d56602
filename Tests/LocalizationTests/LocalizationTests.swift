import Foundation
import Localization
import Testing

@Suite("Plural rules")
struct PluralRuleTests {
    @Test("Russian: one, few, many", arguments: [
        (1, PluralCategory.one), (21, .one), (101, .one), (2, .few), (4, .few), (22, .few), (34, .few),
        (0, .many), (5, .many), (11, .many), (12, .many), (14, .many), (25, .many), (111, .many), (112, .many),
    ])
    func russian(n: Int, expected: PluralCategory) {
        #expect(PluralRules.category(for: n, in: .ru) == expected)
    }

    @Test func kyrgyzAndEnglish() {
        for locale in [AppLocale.ky, .en] {
            #expect(PluralRules.category(for: 1, in: locale) == .one)
            #expect(PluralRules.category(for: 0, in: locale) == .other)
            #expect(PluralRules.category(for: 21, in: locale) == .other)
        }
    }

    @Test func countedMessages() {
        let t = Translations.bundled
        #expect(t[.ru].plural("people.count", count: 1) == "1 человек")
        #expect(t[.ru].plural("people.count", count: 3) == "3 человека")
        #expect(t[.ru].plural("people.count", count: 5) == "5 человек")
        #expect(t[.en].plural("people.count", count: 1) == "1 person")
        #expect(t[.en].plural("people.count", count: 2) == "2 people")
        #expect(t[.ru].plural("organisations.count", count: 12) == "12 организаций")
    }
}

@Suite("Language choice")
struct NegotiationTests {
    @Test("Accept-Language picks ky, ru or en; anything else is Kyrgyz", arguments: [
        ("ru-RU,ru;q=0.9,en;q=0.8", AppLocale.ru), ("en-GB,en;q=0.9", .en), ("ky-KG", .ky),
        ("de-DE,en;q=0.5,ru;q=0.7", .ru), ("fr", .ky), ("", .ky), ("en;q=0,ru;q=0.1", .ru),
    ])
    func negotiates(header: String, expected: AppLocale) {
        #expect(AppLocale.negotiate(acceptLanguage: header) == expected)
    }

    @Test func noHeaderMeansKyrgyz() {
        #expect(AppLocale.negotiate(acceptLanguage: nil) == .ky)
    }
}

@Suite("Catalogues")
struct CatalogueTests {
    static let translations = Translations.bundled
    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test func sameKeysInEveryLanguage() {
        let ky = Set(Self.translations[.ky].entries.keys)
        #expect(ky.count > 100)
        for locale in AppLocale.allCases {
            let keys = Set(Self.translations[locale].entries.keys)
            #expect(keys.subtracting(ky).isEmpty, "\(locale) has keys ky lacks: \(keys.subtracting(ky).sorted())")
            #expect(ky.subtracting(keys).isEmpty, "\(locale) lacks keys: \(ky.subtracting(keys).sorted())")
        }
    }

    @Test func pluralEntriesHaveEveryFormTheLanguageNeeds() {
        for locale in AppLocale.allCases {
            for (key, entry) in Self.translations[locale].entries {
                if case .plural(let forms) = entry {
                    for category in PluralRules.categories(for: locale) {
                        #expect(forms[category] != nil, "\(locale) \(key) lacks \(category)")
                    }
                }
                if case .plural = Self.translations[.ky].entries[key] {} else if case .plural = entry {
                    Issue.record("\(key) is plural in \(locale) but not in ky")
                }
            }
        }
    }

    /// Every `#t("key")` and `#tn("key", …)` in a template, and every literal key the code asks for, exists.
    /// `#t("prefix.", value)` builds its key at run time: some key must start with the prefix.
    @Test func everyKeyUsedExists() throws {
        let keys = Set(Self.translations[.ky].entries.keys)
        var used: [(key: String, isPrefix: Bool, file: String)] = []
        let files = FileManager.default.enumerator(at: Self.sourceRoot, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }
            .filter { ["leaf", "swift"].contains($0.pathExtension) && !$0.path.contains("/Generated/") }
        #expect(files.contains { $0.pathExtension == "leaf" })
        let patterns = [
            #"#tn?\("([^"]+)""#,                      // templates
            #"\bt\("([a-z_.\-]+)""#,                 // req.t("key")
            #"\.plural\("([a-z_.\-]+)""#,            // catalogue.plural("key", …)
            #"DomainError\("([a-z][a-z_.\-]+)""#,    // errors: key is "error." + code
        ]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (index, pattern) in patterns.enumerated() {
                let regex = try NSRegularExpression(pattern: pattern)
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    guard let range = Range(match.range(at: 1), in: text) else { continue }
                    var key = String(text[range])
                    if index == 3 { key = "error." + key }
                    if key.contains("\\(") { continue }
                    used.append((key, key.hasSuffix("."), file.lastPathComponent))
                }
            }
        }
        #expect(used.count > 100)
        let missing = used.filter { use in
            use.isPrefix ? !keys.contains { $0.hasPrefix(use.key) } : !keys.contains(use.key)
        }.map { "\($0.key) (\($0.file))" }
        #expect(missing.isEmpty, "keys used but missing from the catalogues: \(missing)")
    }

    @Test func placeholdersAreFilled() {
        #expect(Self.translations[.en].text("home.greeting", ["name": "Айгүл"]) == "Hello, Айгүл!")
        #expect(Self.translations[.ky].text("no.such.key") == "no.such.key")
    }

    @Test("Placeholders are filled once each, in one pass: a value's own braces stay as typed, an unknown or unclosed one is kept")
    func placeholderFilling() {
        let catalogue = Catalogue(locale: .en, entries: [
            "pair": .text("{a} and {b}, {a} again"), "odd": .text("{unknown} {a} {open"),
        ])
        #expect(catalogue.text("pair", ["a": "{b}", "b": "Бүбүсара"]) == "{b} and Бүбүсара, {b} again")
        #expect(catalogue.text("odd", ["a": "1"]) == "{unknown} 1 {open")
        #expect(catalogue.plural("pair", count: 3, ["a": "x", "b": "{count}"]) == "x and {count}, x again")
    }
}
