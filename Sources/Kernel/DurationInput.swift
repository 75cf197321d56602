import Foundation

/// A duration typed as hours and minutes, each box may be left blank.
public enum DurationInput {
    /// Total minutes, or nil unless both are whole numbers, minutes 0–59, and the total above zero.
    public static func minutes(hours: String?, minutes: String?) -> Int? {
        func number(_ text: String?) -> Int? {
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? 0 : Int(trimmed)
        }
        guard let h = number(hours), let m = number(minutes), h >= 0, (0...59).contains(m), h * 60 + m > 0 else { return nil }
        return h * 60 + m
    }
}
