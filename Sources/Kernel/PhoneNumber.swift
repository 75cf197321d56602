/// Phone numbers as people write them in Kyrgyzstan: "0555 12 34 56", "+996 555 123456", "555123456".
public enum PhoneNumber {
    /// The number as digits with the country code ("996555123456"), or nil if it cannot be a phone number.
    public static func normalise(_ text: String) -> String? {
        let digits = SearchKey.phoneDigits(text)
        switch digits.count {
        case 9: return "996" + digits
        case 10 where digits.hasPrefix("0"): return "996" + digits.dropFirst()
        case 12 where digits.hasPrefix("996"): return digits
        case 11...15 where text.trimmingPrefixWhitespace().hasPrefix("+"): return digits
        default: return nil
        }
    }

    /// "+996 555 123 456" for a Kyrgyz number, "+digits" otherwise.
    public static func display(_ digits: String) -> String {
        guard digits.count == 12, digits.hasPrefix("996") else { return "+" + digits }
        let d = Array(digits)
        return "+996 \(String(d[3..<6])) \(String(d[6..<9])) \(String(d[9..<12]))"
    }
}

extension String {
    func trimmingPrefixWhitespace() -> Substring { self.drop(while: { $0.isWhitespace }) }
}
