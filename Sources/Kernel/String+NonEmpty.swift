import Foundation

extension String {
    /// The text, or nil when there is none: an optional field left blank reads as absent.
    public var nonEmpty: String? { isEmpty ? nil : self }

    /// The text without the spaces around it. Foundation's `trimmingCharacters(in:)` goes through NSString
    /// on Linux, slow for what is nearly always text with nothing to trim (a service date, millions of
    /// times in a bulk load): that case returns at once.
    public var trimmedOfSpaces: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last,
              CharacterSet.whitespaces.contains(first) || CharacterSet.whitespaces.contains(last) else { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}

extension Int {
    /// The number in decimal, zeros in front up to `width` digits (`String(format: "%04d")` without the
    /// C formatter, which costs more than the rest of a date's making).
    public func zeroPadded(_ width: Int) -> String {
        let digits = String(magnitude)
        let padding = String(repeating: "0", count: Swift.max(0, width - digits.count))
        return (self < 0 ? "-" : "") + padding + digits
    }
}
