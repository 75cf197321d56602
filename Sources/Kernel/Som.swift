import Foundation

/// Money as people write it: som with tyiyn, `1 234.50`. Stored as integer tyiyn.
public enum Som {
    public static func format(_ tyiyn: Int) -> String {
        let sign = tyiyn < 0 ? "−" : ""
        let whole = abs(tyiyn) / 100, cents = abs(tyiyn) % 100
        var digits = Array(String(whole))
        var grouped = ""
        while digits.count > 3 {
            grouped = "\u{202F}" + String(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        return sign + String(digits) + grouped + (cents == 0 ? "" : String(format: ".%02d", cents))
    }

    /// "1 234,5" or "1234.50" → 123450 tyiyn; nil when it is not an amount (or has more than two decimals).
    public static func tyiyn(_ text: String?) -> Int? {
        let cleaned = (text ?? "").filter { !$0.isWhitespace && $0 != "\u{202F}" }.replacingOccurrences(of: ",", with: ".")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isNumber), let cents = Int(fraction) else { return nil }
        return whole * 100 + (fraction.count == 1 ? cents * 10 : cents)
    }
}
