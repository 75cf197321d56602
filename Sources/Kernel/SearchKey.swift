import Foundation

/// Folds a name the way staff type it, so "Гүлнара", "Гулнара" and "gulnara" meet.
///
/// Lower-cases, transliterates Cyrillic (Kyrgyz and Russian) to Latin, merges the Kyrgyz letters
/// ө ү ң with о у н, treats й/ы/y/i alike, and collapses doubled letters ("Юлия" and "Yulia" both
/// become "iulia"). Digits are kept; everything else becomes a single space.
public enum SearchKey {
    private static let cyrillic: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z",
        "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "һ": "h",
    ]
    private static let latin: [Character: String] = [
        "ö": "o", "ü": "u", "ñ": "n", "ŋ": "n", "y": "i", "x": "h", "q": "k", "w": "v",
    ]

    public static func fold(_ text: String) -> String {
        var latinText = ""
        for ch in text.lowercased() {
            if let mapped = cyrillic[ch] ?? latin[ch] {
                latinText += mapped
            } else if ch.isASCII && (ch.isLetter || ch.isNumber) {
                latinText.append(ch)
            } else if ch.isLetter || ch.isNumber {
                // Other scripts and accented Latin: keep the base letter where there is one.
                let base = String(ch).decomposedStringWithCanonicalMapping.unicodeScalars.first.map(Character.init) ?? ch
                latinText.append(base)
            } else {
                latinText.append(" ")
            }
        }
        // Common Latin spellings of the same sounds.
        latinText = latinText
            .replacingOccurrences(of: "zh", with: "j")
            .replacingOccurrences(of: "kh", with: "h")
            .replacingOccurrences(of: "ng", with: "n")  // ң written as "ng"
        var folded = ""
        for ch in latinText {
            if ch == " " && (folded.isEmpty || folded.last == " ") { continue }
            if ch == folded.last && ch != " " { continue }
            folded.append(ch)
        }
        while folded.last == " " { folded.removeLast() }
        return folded
    }

    /// Only the digits of a phone number, so "+996 (555) 12-34-56" finds "996555123456".
    public static func phoneDigits(_ text: String) -> String {
        String(text.filter(\.isASCII).filter(\.isNumber))
    }
}
