import Foundation
import Localization
import Vapor

extension Catalogue {
    /// Minutes as people say them: "2 саат 30 мүнөт", "−1 час 15 минут", "45 minutes".
    func duration(_ minutes: Int) -> String {
        let sign = minutes < 0 ? "−" : ""
        let hours = abs(minutes) / 60, rest = abs(minutes) % 60
        var parts: [String] = []
        if hours > 0 { parts.append(plural("duration.hours", count: hours)) }
        if rest > 0 || hours == 0 { parts.append(plural("duration.minutes", count: rest)) }
        return sign + parts.joined(separator: " ")
    }
}

extension Request {
    func duration(_ minutes: Int) -> String { catalogue.duration(minutes) }
}

/// A duration typed as hours and minutes, each box may be left blank.
enum DurationInput {
    /// Total minutes, or nil unless both are whole numbers, minutes 0–59, and the total above zero.
    static func minutes(hours: String?, minutes: String?) -> Int? {
        func number(_ text: String?) -> Int? {
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? 0 : Int(trimmed)
        }
        guard let h = number(hours), let m = number(minutes), h >= 0, (0...59).contains(m), h * 60 + m > 0 else { return nil }
        return h * 60 + m
    }
}
