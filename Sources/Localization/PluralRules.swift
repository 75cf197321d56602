/// CLDR plural categories for whole numbers, for the languages Ashar speaks.
public enum PluralCategory: String, Sendable, CaseIterable {
    case zero, one, two, few, many, other
}

public enum PluralRules {
    /// The categories a catalogue entry must provide in each language.
    public static func categories(for locale: AppLocale) -> [PluralCategory] {
        switch locale {
        case .ru: [.one, .few, .many, .other]
        case .ky, .en: [.one, .other]
        }
    }

    public static func category(for n: Int, in locale: AppLocale) -> PluralCategory {
        switch locale {
        case .ky, .en:
            return n == 1 ? .one : .other
        case .ru:
            let i = abs(n)
            let mod10 = i % 10, mod100 = i % 100
            if mod10 == 1 && mod100 != 11 { return .one }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return .few }
            return .many
        }
    }
}
