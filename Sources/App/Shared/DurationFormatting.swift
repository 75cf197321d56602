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
